namespace TcpMsg.Server.Internal.Chat;

/// <summary>A member's connection, as the chat room sees it: the one writer of everything sent to it.</summary>
internal interface IChatWriter
{
    /// <summary>Something new is waiting for the member (<see cref="ChatMember.Take"/>).</summary>
    void Wake();

    /// <summary>The member is too slow: say why if its socket has room, then write nothing more.</summary>
    void Evict(string reason);
}
