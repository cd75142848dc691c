namespace TcpMsg.Server;

/// <summary>The client finished sending: its FIN arrived (it shut down its sending side or closed).</summary>
public sealed class PeerFinishedSending : ServerEvent
{
    /// <summary>Creates the event.</summary>
    public PeerFinishedSending(ConnectionInfo connection, DateTimeOffset timestamp, long bytesReceived)
        : base(connection, timestamp)
    {
        BytesReceived = bytesReceived;
    }

    /// <summary>How many bytes the client had sent in all.</summary>
    public long BytesReceived { get; }

    /// <inheritdoc />
    public override ServerEventKind Kind => ServerEventKind.PeerFinished;
}
