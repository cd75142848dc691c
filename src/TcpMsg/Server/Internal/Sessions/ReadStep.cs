namespace TcpMsg.Server.Internal;

/// <summary>What a connection's read loop does after a read (<see cref="IReadHandler.OnRead"/>).</summary>
internal enum ReadStep
{
    /// <summary>Everything complete was taken; read again when more bytes arrive.</summary>
    Continue = 0,

    /// <summary>The handler stopped early (a rate limit, an answer first): what is left is read again at once, even after a FIN.</summary>
    Limited = 1,

    /// <summary>The connection is done (a goodbye, a chat member's /quit, the mode decided).</summary>
    Stop = 2,
}
