namespace TcpMsg.Protocol;

/// <summary>What a COMMAND frame asks of the server (docs/protocol.md).</summary>
internal enum ChatCommandKind : byte
{
    /// <summary>Change the member's name to the argument.</summary>
    Nick = 0x01,

    /// <summary>List the members of the room.</summary>
    Who = 0x02,

    /// <summary>Nothing: keeps an otherwise silent member from being closed as idle.</summary>
    Ping = 0x03,
}
