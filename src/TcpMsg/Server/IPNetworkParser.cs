using System.Globalization;
using System.Net;
using System.Net.Sockets;

// The CLI compiles this file as its own internal copy (src/TcpMsg.Cli/TcpMsg.Cli.csproj), in its own
// namespace: the tests, which see the internals of both assemblies, then see one type of each name.
#if TCPMSG_CLI
namespace TcpMsg.Cli;
#else
namespace TcpMsg.Server;
#endif

/// <summary>Parses networks as operators write them, strictly: a mistyped rule is an error, never a silent surprise.</summary>
internal static class IPNetworkParser
{
    /// <summary>
    /// Parses <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, or a single address (<c>192.0.2.7</c> = /32,
    /// <c>::1</c> = /128). An IPv4-mapped IPv6 network (<c>::ffff:10.0.0.0/104</c>) becomes IPv4.
    /// Host bits after the prefix must be zero: <c>10.1.2.3/8</c> is refused, not read as <c>10.0.0.0/8</c>.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network, out string? error)
    {
        network = default;
        error = null;
        text = text.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) ||
            address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) ||
            (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0) ||
            (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            error = $"'{text}' is not an IP network (examples: 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)";
            return false;
        }

        var width = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = width;
        if (slash >= 0 &&
            (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > width))
        {
            error = $"'{text}': the prefix length must be 0-{width}";
            return false;
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        // IPNetwork.Parse clears host bits silently; comparing tells a typo from a network.
        network = IPNetwork.Parse(string.Create(CultureInfo.InvariantCulture, $"{address}/{prefix}"));
        if (!network.BaseAddress.Equals(address))
        {
            error = $"'{text}' has bits set after the /{prefix} prefix; did you mean {network}?";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a file of networks: one per line, blank lines and <c>#</c> comments ignored.
    /// Returns false with the first bad line in <paramref name="error"/>.
    /// </summary>
    public static bool TryParseLines(IEnumerable<string> lines, string source, out List<IPNetwork> networks, out string? error)
    {
        networks = [];
        error = null;
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = (hash < 0 ? raw : raw[..hash]).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!TryParse(line, out var network, out var lineError))
            {
                error = $"{source}:{number}: {lineError}";
                return false;
            }

            networks.Add(network);
        }

        return true;
    }
}
