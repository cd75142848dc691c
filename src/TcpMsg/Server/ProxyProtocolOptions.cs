using System.Net;

namespace TcpMsg.Server;

/// <summary>
/// The PROXY protocol (haproxy, versions 1 and 2): a load balancer in front of tcpmsg tells it the
/// real client's address. When it is on, every connection must come from a trusted proxy and start
/// with a header; others are refused, because the specification forbids guessing and anyone could
/// otherwise claim any address.
/// </summary>
public sealed record ProxyProtocolOptions
{
    /// <summary>The networks of the load balancers whose headers are believed. At least one is required.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> when no proxy is trusted.</summary>
    public void Validate()
    {
        if (TrustedProxies.Count == 0)
        {
            throw new ArgumentException($"{nameof(TrustedProxies)} must name at least one network.", nameof(TrustedProxies));
        }
    }
}
