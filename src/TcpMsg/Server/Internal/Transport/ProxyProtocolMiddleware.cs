using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The layer right above admission when the PROXY protocol is on. Only trusted proxies get this far
/// (the <see cref="AdmissionGate"/> refused the others when it gave out the leases); each must start with a valid header
/// within the handshake timeout. The header's source replaces the connection's remote endpoint, so every
/// layer above (TLS, the record of each message) sees the real client, and the connection's
/// <see cref="AdmissionLease"/> is rebound to it: the client's access rules and per-address cap decide.
/// </summary>
internal sealed class ProxyProtocolMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly TimeSpan _timeout;
    private readonly PeerReporter _reporter;
    private readonly AdmissionGate _gate;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;

    public ProxyProtocolMiddleware(ConnectionDelegate next, TcpMsgServerOptions options, PeerReporter reporter, AdmissionGate gate, ServerStatistics statistics, TimeProvider time)
    {
        _next = next;
        _gate = gate;
        _timeout = options.Security.HandshakeTimeout;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        // The admission layer below took the lease: only a trusted proxy's connection gets this far.
        var lease = context.Features.Get<AdmissionLease>()
            ?? throw new InvalidOperationException("the PROXY layer runs above the admission layer");
        var proxy = (IPEndPoint)context.RemoteEndPoint!;
        ProxyHeader? header;

        // Not linked to ConnectionClosed: it fires as soon as the FIN arrives, and a cancelled read would
        // lose the header and data that came with it. A peer that goes away ends the read by itself.
        using var timeout = new CancellationTokenSource(_timeout, _time);
        try
        {
            header = await ReadHeaderAsync(context.Transport.Input, timeout.Token).ConfigureAwait(false);
        }
        catch (ProxyProtocolException ex)
        {
            Refuse(context, TcpMsgErrorCode.ProxyProtocolError, ex.Message);
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Refuse(context, TcpMsgErrorCode.HandshakeTimeout, $"no complete PROXY header within {_timeout.TotalSeconds:0.###} s");
            return;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException)
        {
            return; // The proxy went away before its header was complete: nothing to serve or report.
        }

        if (header is null)
        {
            return;
        }

        if (header.Source is not null)
        {
            context.Features.Set(new ProxyProtocolFeature(proxy));
            context.RemoteEndPoint = header.Source;
            context.LocalEndPoint = header.Destination;
        }

        // The client is known now (a LOCAL header, from a health check, names none: the proxy stays the
        // peer): its access rules and its per-address cap decide, on the lease taken at accept.
        var client = header.Source ?? proxy;
        if (!lease.Rebind(client.Address, out var refusal))
        {
            _gate.Refused(context, refusal);
            return;
        }

        await _next(context).ConfigureAwait(false);
    }

    private static async Task<ProxyHeader?> ReadHeaderAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (ProxyProtocolReader.TryRead(buffer, out var header, out consumed, out examined))
                {
                    return header;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return null;
                }
            }
            finally
            {
                input.AdvanceTo(consumed, examined);
            }
        }
    }

    private void Refuse(ConnectionContext context, TcpMsgErrorCode code, string reason)
    {
        _statistics.OnDenied();
        var info = ConnectionDescriber.Describe(context, _time.GetUtcNow());
        _reporter.Report(info, code, reason);
    }
}
