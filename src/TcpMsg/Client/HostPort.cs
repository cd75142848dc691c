using System.Globalization;
using System.Net;

// The CLI compiles this file as its own internal copy (src/TcpMsg.Cli/TcpMsg.Cli.csproj), in its own
// namespace: the tests, which see the internals of both assemblies, then see one type of each name.
#if TCPMSG_CLI
namespace TcpMsg.Cli;
#else
namespace TcpMsg.Client;
#endif

/// <summary>A server address as users write it: <c>host</c>, <c>host:port</c>, <c>1.2.3.4:port</c>, <c>[::1]:port</c>, <c>::1</c>.</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    /// <summary>Parses <paramref name="text"/>; the port defaults to <paramref name="defaultPort"/>.</summary>
    public static bool TryParse(string text, int defaultPort, out HostPort result, out string? error)
    {
        result = default;
        error = null;
        text = text.Trim();
        string host;
        var portText = (string?)null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': missing ']' after the IPv6 address";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    error = $"'{text}': expected ':PORT' after ']'";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        else
        {
            // No colon, or several: a bare IPv6 address such as ::1 has no port.
            host = text;
        }

        if (host.Length == 0)
        {
            error = $"'{text}': no host";
            return false;
        }

        var port = defaultPort;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > IPEndPoint.MaxPort))
        {
            error = $"'{text}': bad port '{portText}' (1-65535)";
            return false;
        }

        result = new HostPort(host, port);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
