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

    /// <summary>The address is not allowed (access rules), or is not a trusted proxy; the connection was refused.</summary>
    AccessDenied,

    /// <summary>The address already had as many connections as allowed; the connection was refused.</summary>
    AddressConnectionLimit,

    /// <summary>The TLS handshake failed; the connection was closed.</summary>
    TlsHandshakeFailed,

    /// <summary>The TLS handshake or PROXY header did not arrive within the handshake timeout; the connection was closed.</summary>
    HandshakeTimeout,

    /// <summary>A message took longer than the message timeout to arrive; the connection was closed.</summary>
    MessageTimeout,

    /// <summary>The connection reached its maximum lifetime and was closed.</summary>
    LifetimeExceeded,

    /// <summary>The PROXY protocol header was missing or malformed; the connection was closed.</summary>
    ProxyProtocolError,

    /// <summary>A confirmed-mode client presented no valid token; the connection was closed.</summary>
    Unauthorized,

    /// <summary>A plain-mode client on a server that accepts only confirmed mode; the connection was closed.</summary>
    PlainRefused,

    /// <summary>Chat: the client did not read fast enough; it was disconnected.</summary>
    SlowConsumer,
}
