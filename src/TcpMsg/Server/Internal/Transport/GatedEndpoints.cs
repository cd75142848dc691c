using System.Collections.Concurrent;
using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The endpoints that serve tcpmsg, so that <see cref="AdmittingListenerFactory"/> binds those and
/// leaves a host's other endpoints (HTTP, say) to Kestrel's own transport. Kestrel binds "any" as
/// IPv6 any and falls back to IPv4, and "localhost" as both loopbacks, so each registered endpoint
/// also covers its counterpart in the other family.
/// </summary>
internal sealed class GatedEndpoints
{
    private readonly ConcurrentDictionary<IPEndPoint, bool> _endpoints = new();

    public void Add(EndPoint endpoint)
    {
        if (endpoint is not IPEndPoint ip)
        {
            return;
        }

        _endpoints[ip] = true;
        if (Counterpart(ip.Address) is { } other)
        {
            _endpoints[new IPEndPoint(other, ip.Port)] = true;
        }
    }

    public bool Contains(EndPoint endpoint) => endpoint is IPEndPoint ip && _endpoints.ContainsKey(ip);

    private static IPAddress? Counterpart(IPAddress address) =>
        address.Equals(IPAddress.IPv6Any) ? IPAddress.Any
        : address.Equals(IPAddress.Any) ? IPAddress.IPv6Any
        : address.Equals(IPAddress.Loopback) ? IPAddress.IPv6Loopback
        : address.Equals(IPAddress.IPv6Loopback) ? IPAddress.Loopback
        : null;
}
