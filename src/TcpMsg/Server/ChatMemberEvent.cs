namespace TcpMsg.Server;

/// <summary>
/// Chat (<see cref="TcpMsgServerOptions.Chat"/>): a connection joined the room, or a member changed its
/// name. Its place among the messages is where the other members see it. Leaving is the
/// connection's <see cref="ClientDisconnected"/>.
/// </summary>
public sealed class ChatMemberEvent : ServerEvent
{
    /// <summary>Creates the event.</summary>
    public ChatMemberEvent(ConnectionInfo connection, DateTimeOffset timestamp, string name, string? previousName = null)
        : base(connection, timestamp)
    {
        Name = name;
        PreviousName = previousName;
    }

    /// <summary>True when a member changed its name (<see cref="PreviousName"/> is the old one); false when a connection joined.</summary>
    public bool IsRename => PreviousName is not null;

    /// <summary>The member's name (after the change).</summary>
    public string Name { get; }

    /// <summary>The name it had before a rename; null when it joined.</summary>
    public string? PreviousName { get; }

    /// <summary>The member, for the relay.</summary>
    internal Internal.Chat.ChatMember? Member { get; init; }

    internal override ServerEventKind Kind => ServerEventKind.Chat;
}
