namespace TcpMsg.Server;

/// <summary>Why a connection ended.</summary>
public enum DisconnectReason
{
    /// <summary>The client finished sending (FIN) and the server closed its side.</summary>
    PeerClosed,

    /// <summary>The client reset the connection (RST).</summary>
    PeerReset,

    /// <summary>Nothing arrived for longer than the idle timeout.</summary>
    IdleTimeout,

    /// <summary>A message was longer than the maximum message size.</summary>
    MessageTooLarge,

    /// <summary>The client broke the protocol.</summary>
    ProtocolError,

    /// <summary>The server was shutting down and the shutdown timeout ran out.</summary>
    ServerShutdown,

    /// <summary>The server was at its connection limit.</summary>
    ConnectionLimit,

    /// <summary>The connection was aborted for another reason.</summary>
    Aborted,

    /// <summary>A message took longer than the message timeout to arrive (a slow sender).</summary>
    MessageTimeout,

    /// <summary>The connection reached its maximum lifetime.</summary>
    LifetimeExceeded,

    /// <summary>The client did not finish its handshake (HELLO) in time.</summary>
    HandshakeTimeout,

    /// <summary>The client presented no valid token, or used plain mode where only confirmed mode is allowed.</summary>
    Unauthorized,

    /// <summary>Chat: the client did not read what the room sent it fast enough.</summary>
    SlowConsumer,

    /// <summary>
    /// Confirmed mode: the store failed to commit some of the client's messages; the connection is
    /// closed so that none of its later messages is stored past the gap (the client resends).
    /// </summary>
    StoreFailed,

    /// <summary>Confirmed mode: the client id is in use by another live connection, or bound to another token.</summary>
    ClientIdInUse,
}
