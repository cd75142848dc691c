using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Per-address state: how many connections each address (IPv6: each network of the configured prefix)
/// has open, and its shared rate bucket. An entry lives while the address has connections, and after
/// that until its bucket has refilled, so reconnecting does not reset an address's rate. Only the
/// <see cref="AdmissionGate"/> counts here, for the leases it gives out.
/// </summary>
internal sealed class AddressTable
{
    // How often (in acquisitions) idle entries are looked for and dropped.
    private const int PruneEvery = 1024;

    private readonly Dictionary<IPAddress, AddressEntry> _entries = [];
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

    /// <summary>Counts a connection for <paramref name="key"/> unless it already has <paramref name="max"/> (0: no limit).</summary>
    public bool TryAcquire(IPAddress key, int max, out AddressEntry entry)
    {
        lock (_lock)
        {
            if (--_untilPrune == 0)
            {
                _untilPrune = PruneEvery;
                Prune();
            }

            if (!_entries.TryGetValue(key, out entry!))
            {
                _entries[key] = entry = new AddressEntry(key, _rate is null ? null : new TokenBucket(_rate, _time));
            }

            if (max > 0 && entry.Connections >= max)
            {
                return false;
            }

            entry.Connections++;
            return true;
        }
    }

    public void Release(AddressEntry entry)
    {
        lock (_lock)
        {
            if (--entry.Connections == 0 && (entry.Bucket is null || entry.Bucket.IsFull))
            {
                _entries.Remove(entry.Key);
            }
        }
    }

    private void Prune()
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Connections == 0 && (entry.Bucket is null || entry.Bucket.IsFull))
            {
                _entries.Remove(key);
            }
        }
    }
}
