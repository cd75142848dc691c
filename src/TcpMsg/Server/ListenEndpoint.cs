using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Server;

/// <summary>An address and port to listen on: every interface, the loopback interfaces, or one address.</summary>
public sealed record ListenEndpoint
{
    private ListenEndpoint(ListenEndpointKind kind, IPAddress? address, int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        Kind = kind;
        Address = address;
        Port = port;
    }

    /// <summary>Which addresses the endpoint covers.</summary>
    internal ListenEndpointKind Kind { get; }

    /// <summary>The address, when the endpoint is for one address (<see cref="ForAddress"/>); null for <see cref="Any"/> and <see cref="Localhost"/>.</summary>
    public IPAddress? Address { get; }

    /// <summary>The port; 0 asks the system for a free one.</summary>
    public int Port { get; }

    /// <summary>True when clients must speak TLS here (see <see cref="TcpMsgSecurityOptions.Tls"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>Every interface, IPv4 and IPv6.</summary>
    public static ListenEndpoint Any(int port) => new(ListenEndpointKind.Any, null, port);

    /// <summary>The loopback interfaces, IPv4 and IPv6.</summary>
    public static ListenEndpoint Localhost(int port) => new(ListenEndpointKind.Localhost, null, port);

    /// <summary>One address.</summary>
    public static ListenEndpoint ForAddress(IPAddress address, int port) =>
        new(ListenEndpointKind.Address, address ?? throw new ArgumentNullException(nameof(address)), port);

    /// <summary>
    /// Parses <c>ADDRESS[:PORT]</c>: <c>127.0.0.1</c>, <c>127.0.0.1:2023</c>, <c>[::1]:2023</c>, <c>::1</c>,
    /// <c>*:2023</c> (every interface), <c>localhost:2023</c>, or a bare port <c>:2023</c>.
    /// </summary>
    public static bool TryParse(string text, int defaultPort, out ListenEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        text = text.Trim();
        if (text.Length == 0)
        {
            error = "empty address";
            return false;
        }

        string host;
        var port = defaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': missing ']' after an IPv6 address";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !TryParsePort(rest[1..], out port)))
            {
                error = $"'{text}': bad port after ']'";
                return false;
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            if (!TryParsePort(text[(colon + 1)..], out port))
            {
                error = $"'{text}': bad port '{text[(colon + 1)..]}' (0-65535)";
                return false;
            }
        }
        else
        {
            host = text;
        }

        if (host is "" or "*" or "0.0.0.0" or "::" or "[::]")
        {
            endpoint = host is "0.0.0.0"
                ? ForAddress(IPAddress.Any, port)
                : host is "::" ? ForAddress(IPAddress.IPv6Any, port) : Any(port);
            return true;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            endpoint = Localhost(port);
            return true;
        }

        if (IPAddress.TryParse(host, out var address) &&
            (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            endpoint = ForAddress(address, port);
            return true;
        }

        error = $"'{host}' is not an IP address (use an address such as 127.0.0.1 or [::1], '*' or 'localhost')";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ListenEndpointKind.Any => $"*:{Port}",
        ListenEndpointKind.Localhost => $"localhost:{Port}",
        _ => Address!.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}",
    };

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort;
}
