namespace TcpMsg.Client;

/// <summary>Why a client could not connect, or lost its connection.</summary>
public enum ConnectionFailure
{
    /// <summary>The host name could not be resolved.</summary>
    HostNotFound,

    /// <summary>Nothing listens on that port (the connection was refused).</summary>
    Refused,

    /// <summary>The connection or the server's answer took longer than allowed.</summary>
    TimedOut,

    /// <summary>The network or host cannot be reached.</summary>
    Unreachable,

    /// <summary>The connection was reset; messages sent last may not have arrived.</summary>
    Reset,

    /// <summary>The peer does not speak tcpmsg's confirmed mode (it did not answer the preamble); use plain mode.</summary>
    NotTcpMsgServer,

    /// <summary>The server refused the connection itself (version, authentication, shutting down).</summary>
    RejectedByServer,

    /// <summary>The server requires a token and none, or a wrong one, was given.</summary>
    Unauthorized,

    /// <summary>Another network failure; see the message.</summary>
    Other,

    /// <summary>The TLS handshake failed: the server's certificate was not trusted, or the server refused the client's.</summary>
    Tls,

    /// <summary>The client asked to join a chat room (<see cref="ChatClient"/>) and the server runs none.</summary>
    NoChatRoom,

    /// <summary>The server's store kept failing (disk full, read-only, locked) until the retry time was spent.</summary>
    StoreFailed,

    /// <summary>
    /// The client id belongs to another sender: another connection uses it now, it is bound to another
    /// token or client certificate, or the server has sequences of it that this client never sent.
    /// </summary>
    ClientIdInUse,

    /// <summary>
    /// The server refused this client when it accepted the connection, by its access rules (the
    /// address may not connect, or is not a trusted proxy); over TLS, also at a connection limit.
    /// </summary>
    AccessDenied,

    /// <summary>The server was at a connection limit (its own, or its limit per address) when it accepted the connection; try again later.</summary>
    ServerBusy,
}
