using System.Net;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Judges a peer by its address alone, as soon as its connection is accepted and before Kestrel sets
/// anything up for it: an untrusted peer when the PROXY protocol is on, the access rules, the
/// per-address cap, the global cap. A refusal here costs a closed socket and, at most once per
/// address per interval, a report, where one that reaches the connection layers costs a Kestrel
/// connection (pipes, read loop, buffers: about 5 KiB of garbage and 100 µs of CPU). The caps are
/// only looked at here, never counted: the layers keep the authoritative checks, so a peer let
/// through by a race or judged after its PROXY header is still refused there.
/// </summary>
internal sealed class AdmissionGate
{
    private static readonly CountedAtAccept s_counted = new();
    private static long s_refusedIds;

    private readonly AccessPolicySource _access;
    private readonly AddressTable _addresses;
    private readonly ConnectionTracker _tracker;
    private readonly PeerReporter _reporter;
    private readonly RefusalReporter _refusals;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IPNetwork>? _trustedProxies;
    private readonly int _maxPerAddress;
    private readonly int _ipv6Prefix;
    private int _admitted;

    public AdmissionGate(
        TcpMsgServerOptions options,
        AccessPolicySource access,
        AddressTable addresses,
        ConnectionTracker tracker,
        PeerReporter reporter,
        RefusalReporter refusals,
        ServerStatistics statistics,
        TimeProvider time)
    {
        _access = access;
        _addresses = addresses;
        _tracker = tracker;
        _reporter = reporter;
        _refusals = refusals;
        _statistics = statistics;
        _time = time;
        _trustedProxies = options.Security.ProxyProtocol?.TrustedProxies;
        _maxPerAddress = options.Security.MaxConnectionsPerAddress;
        _ipv6Prefix = options.Security.IPv6PrefixLength;
    }

    /// <summary>Why a peer that is not a trusted proxy is refused while the PROXY protocol is on.</summary>
    public static string UntrustedProxyReason(IPAddress? address) =>
        $"{address} is not a trusted proxy (--trusted-proxy); with the PROXY protocol on, clients must come through the load balancer";

    /// <summary>Why a peer is refused at the per-address cap.</summary>
    public static string AddressCapReason(IPAddress key, int ipv6Prefix, int max) =>
        $"{AddressGrouping.Describe(key, ipv6Prefix)} already has {max} connections open (--max-connections-per-ip)";

    /// <summary>
    /// True when the peer of a just-accepted socket is refused; it is then counted and reported, and the
    /// caller closes the socket. False lets the connection through to the layers.
    /// </summary>
    public bool RefusesAtAccept(EndPoint? remote, EndPoint? local)
    {
        if (remote is not IPEndPoint peer)
        {
            return false;
        }

        var address = AddressGrouping.Normalize(peer.Address);
        if (_trustedProxies is { } trusted)
        {
            // A trusted proxy's connection is judged once its header names the client.
            if (Contains(trusted, address))
            {
                return false;
            }

            _statistics.OnDenied();
            Report(ConnectionErrorCode.AccessDenied, address, peer, local, UntrustedProxyReason(address), 0);
            return true;
        }

        if (!_access.Current.IsAllowed(address, out var reason))
        {
            _statistics.OnDenied();
            Report(ConnectionErrorCode.AccessDenied, address, peer, local, reason!, 0);
            return true;
        }

        if (_maxPerAddress > 0)
        {
            var key = AddressGrouping.KeyOf(address, _ipv6Prefix);
            if (_addresses.IsFull(key, _maxPerAddress))
            {
                _statistics.OnRefused();
                if (!_reporter.TryCountQuiet(ConnectionErrorCode.AddressConnectionLimit, address))
                {
                    _reporter.Report(Describe(peer, local), ConnectionErrorCode.AddressConnectionLimit, AddressCapReason(key, _ipv6Prefix, _maxPerAddress), _maxPerAddress);
                }

                return true;
            }
        }

        // Counted from accept, not from the handler: a burst is accepted faster than handlers start.
        if (Volatile.Read(ref _admitted) >= _tracker.Capacity)
        {
            _statistics.OnRefused();
            _refusals.Report(Describe(peer, local), _tracker.Capacity);
            return true;
        }

        return false;
    }

    /// <summary>A connection let through at accept: it counts against the connection limit until <see cref="Release"/>.</summary>
    public void Admitted(ConnectionContext connection)
    {
        Interlocked.Increment(ref _admitted);
        connection.Features.Set(s_counted);
    }

    /// <summary>
    /// The connection layers are done with a connection (served, or refused by a later check): it no
    /// longer counts. Idempotent, and a no-op for a connection that was not counted at accept.
    /// </summary>
    public void Release(ConnectionContext connection)
    {
        if (connection.Features.Get<CountedAtAccept>() is null)
        {
            return;
        }

        connection.Features.Set<CountedAtAccept>(null);
        Interlocked.Decrement(ref _admitted);
    }

    private static bool Contains(IReadOnlyList<IPNetwork> networks, IPAddress address)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private void Report(ConnectionErrorCode code, IPAddress address, IPEndPoint peer, EndPoint? local, string reason, long limit)
    {
        if (!_reporter.TryCountQuiet(code, address))
        {
            _reporter.Report(Describe(peer, local), code, reason, limit);
        }
    }

    private sealed class CountedAtAccept;

    // Kestrel never saw this connection, so it has no id of Kestrel's; this one says what it was.
    private ConnectionInfo Describe(IPEndPoint peer, EndPoint? local) =>
        new($"refused-{Interlocked.Increment(ref s_refusedIds)}", peer, local as IPEndPoint, _time.GetUtcNow());
}
