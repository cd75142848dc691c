namespace TcpMsg.Server;

/// <summary>A client connected: the three-way handshake completed and the server accepted it.</summary>
public sealed class ClientConnected : ServerEvent
{
    /// <summary>Creates the event.</summary>
    public ClientConnected(ConnectionInfo connection, DateTimeOffset timestamp)
        : base(connection, timestamp)
    {
    }

    internal override ServerEventKind Kind => ServerEventKind.Connected;
}
