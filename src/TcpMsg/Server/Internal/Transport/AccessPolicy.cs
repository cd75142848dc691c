using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Allow and deny rules, decided by the most specific matching network (longest prefix; a deny wins a
/// tie). No match: allowed, unless allow rules exist. Rules are kept per prefix length in hash tables,
/// so a check costs one lookup per distinct prefix length, however long a blocklist file is.
/// </summary>
internal sealed class AccessPolicy
{
    private readonly Table _ipv4;
    private readonly Table _ipv6;
    private readonly bool _allowList;

    public AccessPolicy(IEnumerable<IPNetwork> allow, IEnumerable<IPNetwork> deny, bool allowList)
    {
        _allowList = allowList;
        var rules = allow.Select(n => (Network: n, Allow: true)).Concat(deny.Select(n => (Network: n, Allow: false))).ToList();
        _ipv4 = new Table(rules.Where(r => r.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork), 32);
        _ipv6 = new Table(rules.Where(r => r.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6), 128);
        RuleCount = rules.Count;
    }

    /// <summary>Everyone may connect.</summary>
    public static AccessPolicy Open { get; } = new([], [], allowList: false);

    public int RuleCount { get; }

    /// <summary>Decides for <paramref name="address"/>; <paramref name="reason"/> says why it was refused.</summary>
    public bool IsAllowed(IPAddress address, out string? reason)
    {
        address = AddressGrouping.Normalize(address);
        var table = address.AddressFamily == AddressFamily.InterNetwork ? _ipv4 : _ipv6;
        if (table.TryMatch(AddressGrouping.Bits(address), out var allow, out var network))
        {
            reason = allow ? null : $"{address} matches the deny rule {network}";
            return allow;
        }

        reason = _allowList ? $"{address} matches no allow rule" : null;
        return !_allowList;
    }

    private sealed class Table
    {
        private readonly int _width;

        // Longest prefix first; each maps a masked address to (allow, the network as written).
        private readonly (int Prefix, Dictionary<UInt128, (bool Allow, IPNetwork Network)> Rules)[] _byPrefix;

        public Table(IEnumerable<(IPNetwork Network, bool Allow)> rules, int width)
        {
            _width = width;
            var byPrefix = new SortedDictionary<int, Dictionary<UInt128, (bool, IPNetwork)>>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
            foreach (var (network, allow) in rules)
            {
                if (!byPrefix.TryGetValue(network.PrefixLength, out var table))
                {
                    byPrefix[network.PrefixLength] = table = [];
                }

                var key = AddressGrouping.Bits(network.BaseAddress);

                // A deny wins over an allow of the same network.
                if (!table.TryGetValue(key, out var existing) || existing.Item1)
                {
                    table[key] = (allow, network);
                }
            }

            _byPrefix = [.. byPrefix.Select(p => (p.Key, p.Value))];
        }

        public bool TryMatch(UInt128 address, out bool allow, out IPNetwork network)
        {
            foreach (var (prefix, rules) in _byPrefix)
            {
                if (rules.TryGetValue(address & AddressGrouping.Mask(prefix, _width), out var rule))
                {
                    (allow, network) = rule;
                    return true;
                }
            }

            allow = false;
            network = default;
            return false;
        }
    }
}
