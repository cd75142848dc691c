using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The innermost layer, right under the protocol handler: wraps the input in a
/// <see cref="GuardedPipeReader"/> for the rate limits and the message timeout.
/// </summary>
internal sealed class InputGuardMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly RateLimit? _connectionRate;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;

    public InputGuardMiddleware(ConnectionDelegate next, TcpMsgServerOptions options, TimeProvider time, ServerStatistics statistics)
    {
        _next = next;
        _connectionRate = options.Security.ConnectionRate;
        _time = time;
        _statistics = statistics;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var transport = context.Transport;
        var reader = new GuardedPipeReader(
            transport.Input,
            _connectionRate is null ? null : new TokenBucket(_connectionRate, _time),
            context.Features.Get<AddressLease>()?.Bucket,
            _time,
            _statistics);
        context.Features.Set(reader);
        context.Features.Set<IMessageRateFeature>(reader);
        context.Transport = new DuplexPipe(reader, transport.Output);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Transport = transport;
        }
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
