namespace TcpMsg.Server;

/// <summary>Something went wrong on a connection. <see cref="Detail"/> is English text for logs.</summary>
public sealed class ConnectionError : ServerEvent
{
    /// <summary>Creates the event.</summary>
    public ConnectionError(ConnectionInfo connection, DateTimeOffset timestamp, TcpMsgErrorCode code, string detail, long value = 0, long limit = 0)
        : base(connection, timestamp)
    {
        Code = code;
        Detail = detail;
        Value = value;
        Limit = limit;
    }

    /// <summary>What went wrong.</summary>
    public TcpMsgErrorCode Code { get; }

    /// <summary>A one-line English description.</summary>
    public string Detail { get; }

    /// <summary>
    /// The measured number that goes with the code: the bytes seen of a too-large or invalid message,
    /// the connections refused, the bytes discarded.
    /// </summary>
    public long Value { get; }

    /// <summary>The limit that was broken: the maximum message size, the idle timeout in ms, the connection limit; 0 when none.</summary>
    public long Limit { get; }

    internal override ServerEventKind Kind => ServerEventKind.Error;
}
