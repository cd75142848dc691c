namespace TcpMsg.Server;

/// <summary>A connection ended.</summary>
public sealed class ClientDisconnected : ServerEvent
{
    /// <summary>Creates the event.</summary>
    public ClientDisconnected(
        ConnectionInfo connection,
        DateTimeOffset timestamp,
        TcpMsgErrorCode reason,
        long bytesReceived,
        long messagesReceived,
        long discardedBytes)
        : base(connection, timestamp)
    {
        Reason = reason;
        BytesReceived = bytesReceived;
        MessagesReceived = messagesReceived;
        DiscardedBytes = discardedBytes;
    }

    /// <summary>Why the connection ended.</summary>
    public TcpMsgErrorCode Reason { get; }

    /// <summary>How many bytes the client sent in all.</summary>
    public long BytesReceived { get; }

    /// <summary>How many complete messages the client sent.</summary>
    public long MessagesReceived { get; }

    /// <summary>Bytes of an incomplete or rejected message that were thrown away when the connection ended.</summary>
    public long DiscardedBytes { get; }

    /// <summary>How long the connection lasted.</summary>
    public TimeSpan Duration => Timestamp - Connection.ConnectedAt;

    internal override ServerEventKind Kind => ServerEventKind.Disconnected;
}
