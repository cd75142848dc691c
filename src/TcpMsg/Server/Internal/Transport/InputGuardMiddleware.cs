using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The innermost layer, right under the protocol handler: holds the input to the server's
/// <see cref="ReadBudget"/> (<see cref="BudgetedPipeReader"/>) and, when a rate limit is on, wraps
/// that in a <see cref="GuardedPipeReader"/> that draws from the rate buckets of the connection's
/// <see cref="AdmissionLease"/>.
/// </summary>
internal sealed class InputGuardMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;
    private readonly ReadBudget _budget;
    private readonly bool _rated;

    public InputGuardMiddleware(ConnectionDelegate next, TimeProvider time, ServerStatistics statistics, ReadBudget budget, TcpMsgServerOptions options)
    {
        _next = next;
        _time = time;
        _statistics = statistics;
        _budget = budget;
        _rated = options.Security.ConnectionRate is not null || options.Security.AddressRate is not null;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var transport = context.Transport;
        var budgeted = new BudgetedPipeReader(transport.Input, _budget, _time);
        context.Features.Set(budgeted);
        PipeReader input = budgeted;
        if (_rated)
        {
            var lease = context.Features.Get<AdmissionLease>();
            var reader = new GuardedPipeReader(budgeted, lease?.ConnectionBucket, lease?.AddressBucket, _time, _statistics);
            context.Features.Set(reader);
            context.Features.Set<IMessageRateFeature>(reader);
            input = reader;
        }

        context.Transport = new DuplexPipe(input, transport.Output);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Transport = transport;
            budgeted.Release();
        }
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
