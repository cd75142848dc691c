namespace TcpMsg;

/// <summary>
/// What went wrong, in a <see cref="TcpMsgException"/> and in a server's
/// <see cref="Server.ConnectionError"/> event, and why a connection ended, in its
/// <see cref="Server.ClientDisconnected"/> event (<see cref="PeerClosed"/> when nothing went wrong).
/// The numbers are stable: a code keeps its number in every version, and new codes get new numbers.
/// </summary>
public enum TcpMsgErrorCode
{
    /// <summary>The host name could not be resolved.</summary>
    HostNotFound = 100,

    /// <summary>Nothing listens on that port (the connection was refused).</summary>
    Refused = 101,

    /// <summary>The connection or the server's answer took longer than allowed.</summary>
    TimedOut = 102,

    /// <summary>The network or host cannot be reached.</summary>
    Unreachable = 103,

    /// <summary>The connection was reset; messages sent last may not have arrived.</summary>
    Reset = 104,

    /// <summary>The peer does not speak tcpmsg's confirmed mode (it did not answer the preamble); use plain mode.</summary>
    NotTcpMsgServer = 105,

    /// <summary>The server refused the connection itself (version, authentication, shutting down).</summary>
    RejectedByServer = 106,

    /// <summary>Another network failure; see the message.</summary>
    ConnectionFailed = 107,

    /// <summary>The client asked to join a chat room and the server runs none.</summary>
    NoChatRoom = 108,

    /// <summary>The server was at a connection limit (its own, or its limit per address) when it accepted the connection; try again later.</summary>
    ServerBusy = 109,

    /// <summary>
    /// Messages were not delivered: refused by the server, or unacknowledged when the connection was
    /// lost for good (the client's statistics count them; the inner exception is the first failure).
    /// </summary>
    NotDelivered = 110,

    /// <summary>The chat room refused a command: a name in use or not valid, an unknown command (<see cref="TcpMsgException.Subject"/> is the name).</summary>
    ChatCommandRefused = 111,

    /// <summary>A message was longer than the maximum message size; a connection that sent one is closed.</summary>
    MessageTooLarge = 200,

    /// <summary>A message was not valid UTF-8; it was kept with U+FFFD in place of the bad bytes.</summary>
    InvalidUtf8 = 201,

    /// <summary>The server's store could not commit (disk full, read-only, locked); retry later.</summary>
    StoreFailed = 202,

    /// <summary>The peer broke the protocol (a malformed frame, an unknown type, HELLO missing); the connection was closed.</summary>
    ProtocolError = 203,

    /// <summary>The peer speaks a protocol version this one does not.</summary>
    UnsupportedVersion = 204,

    /// <summary>A token is required and was missing or wrong.</summary>
    Unauthorized = 205,

    /// <summary>The server is stopping; reconnect later.</summary>
    ShuttingDown = 206,

    /// <summary>Chat: the member did not read what was sent to it fast enough; it was disconnected.</summary>
    SlowConsumer = 207,

    /// <summary>
    /// The client id belongs to another sender: another connection uses it now, it is bound to another
    /// token or client certificate, or the server has sequences of it that this client never sent.
    /// </summary>
    ClientIdInUse = 208,

    /// <summary>
    /// The address may not connect by the server's access rules, or is not a trusted proxy; the
    /// connection was refused when it was accepted (over TLS, a connection limit looks the same to the client).
    /// </summary>
    AccessDenied = 209,

    /// <summary>The TLS handshake failed: a certificate was not trusted, or not presented where one is required.</summary>
    TlsHandshakeFailed = 210,

    /// <summary>Nothing arrived for longer than the idle timeout; the connection was closed.</summary>
    IdleTimeout = 300,

    /// <summary>The server was at its connection limit; the connection was refused.</summary>
    ConnectionLimit = 301,

    /// <summary>The client reset the connection while part of a message was still missing.</summary>
    IncompleteMessage = 302,

    /// <summary>An unexpected failure on the connection; the connection was closed.</summary>
    InternalError = 303,

    /// <summary>The address already had as many connections as allowed; the connection was refused.</summary>
    AddressConnectionLimit = 304,

    /// <summary>The TLS handshake or PROXY header did not arrive within the handshake timeout; the connection was closed.</summary>
    HandshakeTimeout = 305,

    /// <summary>A message took longer than the message timeout to arrive; the connection was closed.</summary>
    MessageTimeout = 306,

    /// <summary>The connection reached its maximum lifetime and was closed.</summary>
    LifetimeExceeded = 307,

    /// <summary>The PROXY protocol header was missing or malformed; the connection was closed.</summary>
    ProxyProtocolError = 308,

    /// <summary>A plain-mode client on a server that accepts only confirmed mode; the connection was closed.</summary>
    PlainRefused = 309,

    /// <summary>The connection ended normally: the client finished sending (FIN) and the server closed its side.</summary>
    PeerClosed = 310,

    /// <summary>The client reset the connection (RST).</summary>
    PeerReset = 311,

    /// <summary>The server was shutting down and the shutdown timeout ran out.</summary>
    ServerShutdown = 312,

    /// <summary>The connection was aborted for another reason.</summary>
    Aborted = 313,

    /// <summary>Another program already listens on that address and port (<see cref="TcpMsgException.Subject"/> is the endpoint).</summary>
    AddressInUse = 400,

    /// <summary>The system refused to listen there: ports below 1024 need privileges.</summary>
    PermissionDenied = 401,

    /// <summary>The address to listen on does not belong to this machine.</summary>
    AddressNotAvailable = 402,

    /// <summary>The server could not listen for another reason; see the message.</summary>
    ListenFailed = 403,

    /// <summary>The store's disk is full.</summary>
    DiskFull = 500,

    /// <summary>The store is read-only (the file, or the file system it is on).</summary>
    ReadOnly = 501,

    /// <summary>Another process holds a lock on the store.</summary>
    Locked = 502,

    /// <summary>The operating system reported an I/O error on the store.</summary>
    IoError = 503,

    /// <summary>The store cannot be opened: it does not exist, or cannot be read or written.</summary>
    CannotOpen = 504,

    /// <summary>The store is damaged, not a tcpmsg store, or from a version that must upgrade it first.</summary>
    Corrupt = 505,

    /// <summary>The store failed for another reason; see the message.</summary>
    StoreError = 506,

    /// <summary>An option's value is not valid (<see cref="TcpMsgException.Subject"/> is its property name).</summary>
    InvalidOptions = 600,

    /// <summary>An allow or deny file could not be read, or holds a line that is not a network (<see cref="TcpMsgException.Subject"/> is the file).</summary>
    AccessListInvalid = 601,

    /// <summary>A certificate, key or certificate-authority file could not be read or does not fit its use.</summary>
    CertificateInvalid = 602,
}
