namespace TcpMsg.Server;

/// <summary>
/// Something that happened on a connection. Events of one connection are delivered to
/// <see cref="IServerEventSink"/>s in the order they happened, each message after it was stored.
/// </summary>
public abstract class ServerEvent
{
    /// <summary>Creates an event for <paramref name="connection"/> at <paramref name="timestamp"/>.</summary>
    protected ServerEvent(ConnectionInfo connection, DateTimeOffset timestamp)
    {
        Connection = connection;
        Timestamp = timestamp;
    }

    /// <summary>The connection the event belongs to.</summary>
    public ConnectionInfo Connection { get; }

    /// <summary>When it happened (UTC).</summary>
    public DateTimeOffset Timestamp { get; }

    // What the event reports (the pipeline's logs and counts).
    internal abstract ServerEventKind Kind { get; }
}
