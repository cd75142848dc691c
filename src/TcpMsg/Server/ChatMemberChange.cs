namespace TcpMsg.Server;

/// <summary>What a <see cref="ChatMemberEvent"/> reports.</summary>
public enum ChatMemberChange
{
    /// <summary>A connection joined the chat room.</summary>
    Joined,

    /// <summary>A member changed its name.</summary>
    Renamed,
}
