namespace TcpMsg.Protocol;

/// <summary>What a NOTICE frame tells a chat member (docs/protocol.md).</summary>
public enum NoticeKind : byte
{
    /// <summary>Someone joined the room.</summary>
    Joined = 0x01,

    /// <summary>Someone left the room.</summary>
    Left = 0x02,

    /// <summary>Someone changed its name.</summary>
    Renamed = 0x03,

    /// <summary>The member's own name is now the one given (the answer to NICK).</summary>
    Name = 0x04,

    /// <summary>The member's command was refused (a name in use or not valid).</summary>
    Refused = 0x05,

    /// <summary>The members of the room (the answer to WHO, or sent after joining).</summary>
    Who = 0x06,

    /// <summary>Messages were skipped for this member because it did not read fast enough.</summary>
    Dropped = 0x07,

    /// <summary>
    /// Never on the wire; the client's own news: its connection to the room was lost
    /// (<see cref="Client.ChatNotice.Reason"/> says why). It reconnects when
    /// <see cref="Client.MessageClientOptions.RetryFor"/> allows.
    /// </summary>
    ConnectionLost = 0x81,

    /// <summary>
    /// Never on the wire; the client's own news: it is connected again, as <see cref="Client.ChatNotice.Name"/>.
    /// After coming back it gets the history again, without what it already had.
    /// </summary>
    Reconnected = 0x82,
}
