using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Per-address state: how many connections each address (IPv6: each network of the configured prefix)
/// has open, and its shared rate bucket. An entry lives while the address has connections, and after
/// that until its bucket has refilled, so reconnecting does not reset an address's rate.
/// </summary>
internal sealed class AddressTable
{
    // How often (in acquisitions) idle entries are looked for and dropped.
    private const int PruneEvery = 1024;

    private readonly Dictionary<IPAddress, AddressLease> _entries = [];
    private readonly Lock _lock = new();
    private readonly RateLimit? _rate;
    private readonly TimeProvider _time;
    private int _untilPrune = PruneEvery;

    public AddressTable(TcpMsgServerOptions options, TimeProvider time)
    {
        _rate = options.Security.AddressRate;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>True when <paramref name="key"/> has <paramref name="max"/> connections open; counts nothing.</summary>
    public bool IsFull(IPAddress key, int max)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var lease) && lease.Connections >= max;
        }
    }

    /// <summary>Counts a connection for <paramref name="key"/> unless it already has <paramref name="max"/> (0: no limit).</summary>
    public bool TryAcquire(IPAddress key, int max, out AddressLease lease)
    {
        lock (_lock)
        {
            if (--_untilPrune == 0)
            {
                _untilPrune = PruneEvery;
                Prune();
            }

            if (!_entries.TryGetValue(key, out lease!))
            {
                _entries[key] = lease = new AddressLease(key, _rate is null ? null : new TokenBucket(_rate, _time));
            }

            if (max > 0 && lease.Connections >= max)
            {
                return false;
            }

            lease.Connections++;
            return true;
        }
    }

    public void Release(AddressLease lease)
    {
        lock (_lock)
        {
            if (--lease.Connections == 0 && (lease.Bucket is null || lease.Bucket.IsFull))
            {
                _entries.Remove(lease.Key);
            }
        }
    }

    private void Prune()
    {
        foreach (var (key, lease) in _entries)
        {
            if (lease.Connections == 0 && (lease.Bucket is null || lease.Bucket.IsFull))
            {
                _entries.Remove(key);
            }
        }
    }
}
