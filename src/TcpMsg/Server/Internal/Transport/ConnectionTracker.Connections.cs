namespace TcpMsg.Server.Internal;

internal sealed partial class ConnectionTracker
{
    /// <summary>The open connections, for sweeps that close some of them.</summary>
    public IEnumerable<ConnectionState> Connections => _connections.Keys;
}
