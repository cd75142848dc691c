using System.Net;

namespace TcpMsg.Protocol;

/// <summary>A decoded PROXY protocol header (version 1 or 2).</summary>
/// <param name="Version">1 for the text form, 2 for the binary form.</param>
/// <param name="Command">Whether the header relays a client or describes the proxy's own connection.</param>
/// <param name="Source">
/// The relayed client's address and port; null when the connection's own endpoints apply: a LOCAL
/// command, a v1 <c>UNKNOWN</c> line, or a v2 family tcpmsg does not map (UNSPEC, UNIX, UDP), which
/// the specification says to treat as UNSPEC.
/// </param>
/// <param name="Destination">The address and port the client connected to, when <see cref="Source"/> is known.</param>
/// <param name="Length">The header's length in bytes on the wire.</param>
internal sealed record ProxyHeader(int Version, ProxyCommand Command, IPEndPoint? Source, IPEndPoint? Destination, int Length);
