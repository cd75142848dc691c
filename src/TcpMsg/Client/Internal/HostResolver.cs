using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Client.Internal;

/// <summary>Turns a host into addresses to try, with the failures sorted for the user.</summary>
internal static class HostResolver
{
    public static async Task<IPAddress[]> ResolveAsync(HostPort server, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(server.Host, out var literal))
        {
            return [literal];
        }

        // RFC 6761 §6.4: names under .invalid never resolve; answer at once, without asking DNS.
        if (server.Host.Equals("invalid", StringComparison.OrdinalIgnoreCase) ||
            server.Host.EndsWith(".invalid", StringComparison.OrdinalIgnoreCase) ||
            server.Host.EndsWith(".invalid.", StringComparison.OrdinalIgnoreCase))
        {
            throw NotFound(server, null);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(server.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw NotFound(server, ex);
        }
        catch (ArgumentException ex)
        {
            // Not a valid host name at all (an empty label, too long).
            throw NotFound(server, ex);
        }

        return addresses.Length > 0 ? addresses : throw NotFound(server, null);
    }

    private static TcpMsgException NotFound(HostPort server, Exception? cause) =>
        new(TcpMsgErrorCode.HostNotFound, $"host not found: {server.Host}", cause);
}
