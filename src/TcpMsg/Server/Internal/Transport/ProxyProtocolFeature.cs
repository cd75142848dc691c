using System.Net;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>Set on a connection that a trusted proxy relayed: the proxy's own endpoint, for the record.</summary>
internal sealed record ProxyProtocolFeature(IPEndPoint ProxyEndPoint);
