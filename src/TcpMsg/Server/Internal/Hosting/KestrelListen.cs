using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TcpMsg.Server.Internal;

/// <summary>Binds a <see cref="ListenEndpoint"/> on Kestrel, for the TCP and the HTTP endpoints alike.</summary>
internal static class KestrelListen
{
    public static void Endpoint(KestrelServerOptions kestrel, ListenEndpoint endpoint, Action<ListenOptions> configure)
    {
        switch (endpoint.Kind)
        {
            case ListenEndpointKind.Any:
                kestrel.ListenAnyIP(endpoint.Port, configure);
                break;
            case ListenEndpointKind.Localhost when endpoint.Port == 0:
                // Kestrel cannot give IPv4 and IPv6 loopback the same dynamic port.
                kestrel.Listen(IPAddress.Loopback, 0, configure);
                break;
            case ListenEndpointKind.Localhost:
                kestrel.ListenLocalhost(endpoint.Port, configure);
                break;
            default:
                kestrel.Listen(endpoint.Address!, endpoint.Port, configure);
                break;
        }
    }
}
