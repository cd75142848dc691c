using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The outermost layer when the PROXY protocol is on: only trusted proxies may connect, each must
/// start with a valid header within the handshake timeout, and the header's source replaces the
/// connection's remote endpoint, so every layer above (access rules, limits, the record of each
/// message) sees the real client.
/// </summary>
internal sealed class ProxyProtocolMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly IReadOnlyList<IPNetwork> _trusted;
    private readonly TimeSpan _timeout;
    private readonly PeerReporter _reporter;
    private readonly AdmissionGate _gate;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;

    public ProxyProtocolMiddleware(ConnectionDelegate next, TcpMsgServerOptions options, PeerReporter reporter, AdmissionGate gate, ServerStatistics statistics, TimeProvider time)
    {
        _next = next;
        _gate = gate;
        _trusted = options.Security.ProxyProtocol!.TrustedProxies;
        _timeout = options.Security.HandshakeTimeout;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        try
        {
            await HandleAsync(context).ConfigureAwait(false);
        }
        finally
        {
            // The admission layer releases the connections it sees; this covers those refused here.
            _gate.Release(context);
        }
    }

    private async Task HandleAsync(ConnectionContext context)
    {
        var proxy = context.RemoteEndPoint as IPEndPoint;
        if (proxy is null || !IsTrusted(proxy.Address))
        {
            Refuse(context, ConnectionErrorCode.AccessDenied, AdmissionGate.UntrustedProxyReason(proxy is null ? null : AddressGrouping.Normalize(proxy.Address)));
            return;
        }

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
            Refuse(context, ConnectionErrorCode.ProxyProtocolError, ex.Message);
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Refuse(context, ConnectionErrorCode.HandshakeTimeout, $"no complete PROXY header within {_timeout.TotalSeconds:0.###} s");
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

    private bool IsTrusted(IPAddress address)
    {
        address = AddressGrouping.Normalize(address);
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private void Refuse(ConnectionContext context, ConnectionErrorCode code, string reason)
    {
        _statistics.OnDenied();
        var info = ConnectionDescriber.Describe(context, _time.GetUtcNow());
        _reporter.Report(info, code, reason);
    }
}
