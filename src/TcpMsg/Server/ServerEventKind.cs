namespace TcpMsg.Server;

/// <summary>What a <see cref="ServerEvent"/> reports.</summary>
internal enum ServerEventKind
{
    /// <summary>A client connected (the three-way handshake completed).</summary>
    Connected,

    /// <summary>A complete message arrived.</summary>
    Message,

    /// <summary>The client finished sending (its FIN arrived).</summary>

    /// <summary>The connection closed.</summary>
    Disconnected,

    /// <summary>Something went wrong on a connection.</summary>
    Error,

    /// <summary>Chat: a connection joined the room or a member changed its name (<see cref="ChatMemberEvent"/>).</summary>
    Chat,
}
