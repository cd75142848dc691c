namespace TcpMsg.Protocol;

/// <summary>The code of an ERROR frame (docs/protocol.md).</summary>
internal enum ProtocolErrorCode : ushort
{
    /// <summary>The message or frame is longer than the limit; the connection is closed.</summary>
    TooLarge = 1,

    /// <summary>The text is not valid UTF-8; the message is not stored.</summary>
    InvalidUtf8 = 2,

    /// <summary>The store could not commit the message; retry later.</summary>
    StoreFailed = 3,

    /// <summary>A malformed frame, an unknown type, or HELLO missing; the connection is closed.</summary>
    Protocol = 4,

    /// <summary>An unsupported protocol version; the connection is closed.</summary>
    Version = 5,

    /// <summary>A token is required and was missing or wrong; the connection is closed.</summary>
    Unauthorized = 6,

    /// <summary>The server is stopping; reconnect later.</summary>
    ShuttingDown = 7,

    /// <summary>Chat: the client did not read what was sent to it fast enough; the connection is closed.</summary>
    TooSlow = 8,

    /// <summary>
    /// The client id is in use by another live connection, or bound to another token or client
    /// certificate (docs/security.md); the connection is closed.
    /// </summary>
    ClientIdInUse = 9,
}
