using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The one place where connections are counted against the server's limits: the access rules, an
/// untrusted peer while the PROXY protocol is on, the per-address cap and the connection limit. Each
/// connection it lets in holds one <see cref="AdmissionLease"/>, taken as soon as its socket is accepted
/// (<see cref="AdmittingListener"/>), before Kestrel sets anything up for it, and given back when the
/// connection ends. A refusal at accept costs a closed socket and, at most once per address per
/// interval, a report, where one that reaches the connection layers would cost a Kestrel connection
/// (pipes, read loop, buffers: about 5 KiB of garbage and 100 µs of CPU). A connection that a PROXY
/// header turns out to be relaying is judged again by the client's address, on the same lease
/// (<see cref="AdmissionLease.Rebind"/>).
/// </summary>
internal sealed partial class AdmissionGate
{
    private static long s_refusedIds;

    private readonly AccessPolicySource _access;
    private readonly AddressTable _addresses;
    private readonly PeerReporter _reporter;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IPNetwork>? _trustedProxies;
    private readonly RateLimit? _connectionRate;
    private readonly int _maxPerAddress;
    private readonly int _ipv6Prefix;
    private readonly bool _perAddress;
    private int _count;

    public AdmissionGate(
        TcpMsgServerOptions options,
        AccessPolicySource access,
        AddressTable addresses,
        PeerReporter reporter,
        ServerStatistics statistics,
        TimeProvider time,
        ILogger<AdmissionGate> logger)
    {
        _access = access;
        _addresses = addresses;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
        _trustedProxies = options.Security.UsesProxyProtocol ? options.Security.TrustedProxies : null;
        _connectionRate = options.Security.ConnectionRate;
        _maxPerAddress = options.Security.MaxConnectionsPerAddress;
        _ipv6Prefix = options.Security.IPv6PrefixLength;

        // Without a cap or a rate per address there is nothing to keep per address: no table entry, no lock.
        _perAddress = _maxPerAddress > 0 || options.Security.AddressRate is not null;

        var descriptors = DescriptorBudget.Current();
        Capacity = Math.Min(options.MaxConnections, descriptors?.Connections ?? int.MaxValue);
        if (descriptors is { } budget && Capacity < options.MaxConnections)
        {
            LogDescriptorBudget(logger, budget.SoftLimit, budget.OpenAtStart, DescriptorBudget.Reserve, Capacity, options.MaxConnections);
        }
    }

    /// <summary>
    /// The connection limit in force: <see cref="TcpMsgServerOptions.MaxConnections"/>, or fewer when the
    /// process's open-files limit leaves room for fewer (<see cref="DescriptorBudget"/>).
    /// </summary>
    public int Capacity { get; }

    /// <summary>Leases held now: connections from accept until their layers are done with them.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Why a peer that is not a trusted proxy is refused while the PROXY protocol is on.</summary>
    public static string UntrustedProxyReason(IPAddress? address) =>
        $"{address} is not a trusted proxy; with the PROXY protocol on, clients must come through the load balancer";

    /// <summary>Why a peer is refused at the per-address cap.</summary>
    public static string AddressCapReason(IPAddress key, int ipv6Prefix, int max) =>
        $"{AddressGrouping.Describe(key, ipv6Prefix)} already has {max} connections open (the limit per address)";

    /// <summary>
    /// Judges the peer of a just-accepted socket and, when it may connect, gives it its lease. Null when
    /// refused: the refusal is then counted and reported, and the caller closes the socket.
    /// </summary>
    public AdmissionLease? TryAdmit(EndPoint? remote, EndPoint? local) => TryAdmit(remote, local, out _);

    /// <summary>As <see cref="TryAdmit(EndPoint?, EndPoint?)"/>, and says why when it refuses.</summary>
    public AdmissionLease? TryAdmit(EndPoint? remote, EndPoint? local, out AdmissionRefusal refusal)
    {
        var peer = remote as IPEndPoint;
        if (TryAcquire(peer?.Address, out var lease, out refusal))
        {
            return lease;
        }

        RefuseAtAccept(refusal, peer, local);
        return null;
    }

    /// <summary>
    /// The lease of a connection that did not come through an <see cref="AdmittingListener"/> (an
    /// embedding host's own transport), taken when the connection layers first see it; null when refused
    /// (counted and reported).
    /// </summary>
    public AdmissionLease? TryAdmit(ConnectionContext connection)
    {
        var peer = connection.RemoteEndPoint as IPEndPoint;
        if (TryAcquire(peer?.Address, out var lease, out var refusal))
        {
            return lease;
        }

        Refused(connection, refusal);
        return null;
    }

    /// <summary>Counts and reports a refusal that <see cref="AdmissionLease.Rebind"/> returned; the connection describes the client.</summary>
    public void Refused(ConnectionContext connection, in AdmissionRefusal refusal) =>
        Report(refusal, connection.RemoteEndPoint as IPEndPoint, () => ConnectionDescriber.Describe(connection, _time.GetUtcNow()));

    /// <summary>See <see cref="AdmissionLease.Rebind"/>.</summary>
    internal bool Rebind(AdmissionLease lease, IPAddress address, out AdmissionRefusal refusal)
    {
        ObjectDisposedException.ThrowIf(lease.IsReleased, lease);
        ReleaseAddress(lease);
        return TryBind(lease, AddressGrouping.Normalize(address), out refusal);
    }

    /// <summary>See <see cref="AdmissionLease.Dispose"/>.</summary>
    internal void Release(AdmissionLease lease)
    {
        ReleaseAddress(lease);
        Interlocked.Decrement(ref _count);
    }

    private bool TryAcquire(IPAddress? address, out AdmissionLease? lease, out AdmissionRefusal refusal)
    {
        lease = null;

        // Counted from accept, not from the handler: a burst is accepted faster than handlers start.
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            refusal = new AdmissionRefusal(TcpMsgErrorCode.ConnectionLimit, string.Empty, Capacity);
            return false;
        }

        var acquired = new AdmissionLease(this, _connectionRate is null ? null : new TokenBucket(_connectionRate, _time));
        address = address is null ? null : AddressGrouping.Normalize(address);
        bool admitted;
        if (_trustedProxies is { } trusted)
        {
            // A trusted proxy's connection is judged by address once its header names the client.
            admitted = address is not null && Contains(trusted, address);
            refusal = admitted ? default : new AdmissionRefusal(TcpMsgErrorCode.AccessDenied, UntrustedProxyReason(address), 0);
        }
        else if (address is null)
        {
            // Not an IP peer (a Unix socket of an embedding host): nothing to judge by address.
            admitted = true;
            refusal = default;
        }
        else
        {
            admitted = TryBind(acquired, address, out refusal);
        }

        if (!admitted)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        lease = acquired;
        return true;
    }

    /// <summary>The access rules, then the per-address cap, for <paramref name="address"/> (normalized).</summary>
    private bool TryBind(AdmissionLease lease, IPAddress address, out AdmissionRefusal refusal)
    {
        if (!_access.Current.IsAllowed(address, out var reason))
        {
            refusal = new AdmissionRefusal(TcpMsgErrorCode.AccessDenied, reason!, 0);
            return false;
        }

        if (_perAddress)
        {
            var key = AddressGrouping.KeyOf(address, _ipv6Prefix);
            if (!_addresses.TryAcquire(key, _maxPerAddress, out var entry))
            {
                refusal = new AdmissionRefusal(TcpMsgErrorCode.AddressConnectionLimit, AddressCapReason(key, _ipv6Prefix, _maxPerAddress), _maxPerAddress);
                return false;
            }

            lease.Entry = entry;
        }

        lease.IsBound = true;
        refusal = default;
        return true;
    }

    private void ReleaseAddress(AdmissionLease lease)
    {
        if (lease.Entry is { } entry)
        {
            lease.Entry = null;
            _addresses.Release(entry);
        }

        lease.IsBound = false;
    }

    /// <summary>
    /// Counts a refusal in the statistics and reports it: at the connection limit in summaries, by
    /// address otherwise. <paramref name="describe"/> runs only for a report in full, not for one counted quietly.
    /// </summary>
    private void Report(in AdmissionRefusal refusal, IPEndPoint? peer, Func<ConnectionInfo> describe)
    {
        if (refusal.Code == TcpMsgErrorCode.AccessDenied)
        {
            _statistics.OnDenied();
        }
        else
        {
            _statistics.OnRefused();
        }

        if (refusal.Code == TcpMsgErrorCode.ConnectionLimit)
        {
            _reporter.ReportConnectionLimit(describe(), Capacity);
            return;
        }

        var address = peer is null ? null : AddressGrouping.Normalize(peer.Address);
        if (address is null || !_reporter.TryCountQuiet(refusal.Code, address))
        {
            _reporter.Report(describe(), refusal.Code, refusal.Reason, refusal.Limit);
        }
    }

    // Its own method, so that the closure is made only for a refusal, not for every connection.
    private void RefuseAtAccept(in AdmissionRefusal refusal, IPEndPoint? peer, EndPoint? local) =>
        Report(refusal, peer, () => Describe(peer, local));

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

    // Kestrel never saw this connection, so it has no id of Kestrel's; this one says what it was.
    private ConnectionInfo Describe(IPEndPoint? peer, EndPoint? local) =>
        new($"refused-{Interlocked.Increment(ref s_refusedIds)}", peer, local as IPEndPoint, _time.GetUtcNow());

    [LoggerMessage(Level = LogLevel.Warning, Message = "The open-files limit ({Limit}, of which {Open} are in use at start and {Reserve} kept in reserve) leaves room for {Capacity} connections, fewer than the {MaxConnections} of MaxConnections: further connections are refused. Raise it with ulimit -n (LimitNOFILE= in a systemd unit) or lower MaxConnections")]
    private static partial void LogDescriptorBudget(ILogger logger, long limit, int open, int reserve, int capacity, int maxConnections);
}
