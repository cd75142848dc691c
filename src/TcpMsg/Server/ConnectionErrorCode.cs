namespace TcpMsg.Server;

/// <summary>What went wrong on a connection.</summary>
public enum ConnectionErrorCode
{
    /// <summary>A message was longer than the maximum; the connection was closed.</summary>
    MessageTooLarge,

    /// <summary>A message was not valid UTF-8; it was kept with U+FFFD in place of the bad bytes.</summary>
    InvalidUtf8,

    /// <summary>Nothing arrived for longer than the idle timeout; the connection was closed.</summary>
    IdleTimeout,

    /// <summary>The server was at its connection limit; the connection was refused.</summary>
    ConnectionLimit,

    /// <summary>The client reset the connection while part of a message was still missing.</summary>
    IncompleteMessage,

    /// <summary>The client broke the protocol; the connection was closed.</summary>
    ProtocolError,

    /// <summary>An unexpected failure on the connection; the connection was closed.</summary>
    InternalError,

    /// <summary>Chat: the client did not read fast enough; it was disconnected.</summary>
    SlowConsumer,
}
