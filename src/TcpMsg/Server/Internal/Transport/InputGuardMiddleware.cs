using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The innermost layer, right under the protocol handler, when a rate limit is on: wraps the input in
/// a <see cref="GuardedPipeReader"/> that draws from the rate buckets of the connection's
/// <see cref="AdmissionLease"/>.
/// </summary>
internal sealed class InputGuardMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;

    public InputGuardMiddleware(ConnectionDelegate next, TimeProvider time, ServerStatistics statistics)
    {
        _next = next;
        _time = time;
        _statistics = statistics;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var transport = context.Transport;
        var lease = context.Features.Get<AdmissionLease>();
        var reader = new GuardedPipeReader(transport.Input, lease?.ConnectionBucket, lease?.AddressBucket, _time, _statistics);
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
