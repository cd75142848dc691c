using System.Net;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Decides, before anything is read, whether a peer may connect at all: the access rules, then the
/// per-address connection cap, which it counts. Most refusals happen earlier, at accept
/// (<see cref="AdmissionGate"/>); this layer is the one that counts, and the one that judges
/// clients behind a trusted proxy. A refused peer is closed at once and reported through the
/// <see cref="PeerReporter"/> (once per address per interval). Runs after the PROXY layer, so it
/// judges the real client, and before TLS, so refusing costs no handshake.
/// </summary>
internal sealed class AdmissionMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly AccessPolicySource _access;
    private readonly AddressTable _addresses;
    private readonly PeerReporter _reporter;
    private readonly AdmissionGate _gate;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly int _maxPerAddress;
    private readonly int _ipv6Prefix;

    public AdmissionMiddleware(
        ConnectionDelegate next,
        TcpMsgServerOptions options,
        AccessPolicySource access,
        AddressTable addresses,
        PeerReporter reporter,
        AdmissionGate gate,
        ServerStatistics statistics,
        TimeProvider time)
    {
        _next = next;
        _gate = gate;
        _access = access;
        _addresses = addresses;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
        _maxPerAddress = options.Security.MaxConnectionsPerAddress;
        _ipv6Prefix = options.Security.IPv6PrefixLength;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        AddressLease? lease = null;
        try
        {
            if (context.RemoteEndPoint is not IPEndPoint { Address: var address })
            {
                await _next(context).ConfigureAwait(false);
                return;
            }

            if (!_access.Current.IsAllowed(address, out var reason))
            {
                _statistics.OnDenied();
                Report(context, ConnectionErrorCode.AccessDenied, reason!, 0);
                return;
            }

            var key = AddressGrouping.KeyOf(address, _ipv6Prefix);
            if (!_addresses.TryAcquire(key, _maxPerAddress, out var acquired))
            {
                _statistics.OnRefused();
                Report(
                    context,
                    ConnectionErrorCode.AddressConnectionLimit,
                    AdmissionGate.AddressCapReason(key, _ipv6Prefix, _maxPerAddress),
                    _maxPerAddress);
                return;
            }

            lease = acquired;
            context.Features.Set(lease);
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            if (lease is not null)
            {
                _addresses.Release(lease);
            }

            _gate.Release(context);
        }
    }

    private void Report(ConnectionContext context, ConnectionErrorCode code, string reason, long limit)
    {
        var info = ConnectionDescriber.Describe(context, _time.GetUtcNow());
        _reporter.Report(info, code, reason, limit);
    }
}
