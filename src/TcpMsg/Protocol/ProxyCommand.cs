namespace TcpMsg.Protocol;

/// <summary>What a PROXY protocol header says about the connection that carries it.</summary>
internal enum ProxyCommand
{
    /// <summary>
    /// The proxy opened the connection on its own behalf (a health check, or a v1 <c>UNKNOWN</c> line):
    /// the connection's real endpoints apply.
    /// </summary>
    Local,

    /// <summary>The proxy relays a client; <see cref="ProxyHeader.Source"/> is that client, when its family is known.</summary>
    Proxy,
}
