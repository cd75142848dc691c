using System.Collections.Concurrent;
using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The endpoints that serve tcpmsg, so that <see cref="AdmittingListenerFactory"/> binds those and
/// leaves a host's other endpoints (HTTP, say) to Kestrel's own transport. Kestrel binds "any" as
/// IPv6 any and falls back to IPv4, and "localhost" as both loopbacks, so each registered endpoint
/// also covers its counterpart in the other family. Each remembers whether it speaks TLS, so that a
/// peer refused at accept is told so in words it can read (<see cref="RefusalNotice"/>).
/// </summary>
internal sealed class GatedEndpoints
{
    private readonly ConcurrentDictionary<IPEndPoint, bool> _endpoints = new();

    public void Add(EndPoint endpoint, bool tls)
    {
        if (endpoint is not IPEndPoint ip)
        {
            return;
        }

        _endpoints[ip] = tls;
        if (Counterpart(ip.Address) is { } other)
        {
            _endpoints[new IPEndPoint(other, ip.Port)] = tls;
        }
    }

    public bool Contains(EndPoint endpoint) => endpoint is IPEndPoint ip && _endpoints.ContainsKey(ip);

    /// <summary>Whether the registered <paramref name="endpoint"/> speaks TLS (false when it is not registered).</summary>
    public bool IsTls(EndPoint endpoint) => endpoint is IPEndPoint ip && _endpoints.TryGetValue(ip, out var tls) && tls;

    private static IPAddress? Counterpart(IPAddress address) =>
        address.Equals(IPAddress.IPv6Any) ? IPAddress.Any
        : address.Equals(IPAddress.Any) ? IPAddress.IPv6Any
        : address.Equals(IPAddress.Loopback) ? IPAddress.IPv6Loopback
        : address.Equals(IPAddress.IPv6Loopback) ? IPAddress.Loopback
        : null;
}
