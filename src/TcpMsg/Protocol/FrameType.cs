namespace TcpMsg.Protocol;

/// <summary>The type byte of a confirmed-mode frame (docs/protocol.md).</summary>
internal enum FrameType : byte
{
    /// <summary>Client to server: who the client is.</summary>
    Hello = 0x01,

    /// <summary>Server to client: the answer to HELLO.</summary>
    Welcome = 0x02,

    /// <summary>Client to server: one message with its sequence number.</summary>
    Message = 0x03,

    /// <summary>Server to client: messages up to a sequence are stored.</summary>
    Ack = 0x04,

    /// <summary>Server to client: a message or the connection failed.</summary>
    Error = 0x05,

    /// <summary>Both ways: nothing more will be sent.</summary>
    Goodbye = 0x06,

    /// <summary>Server to chat member: a message of the chat room, with its sender and time.</summary>
    Deliver = 0x07,

    /// <summary>Server to chat member: someone joined, left or was renamed; or the answer to a command.</summary>
    Notice = 0x08,

    /// <summary>Chat member to server: a chat command (change name, list members, keep alive).</summary>
    Command = 0x09,
}
