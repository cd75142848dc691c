namespace TcpMsg.Server;

/// <summary>What the chat room does with a member that falls further behind than its in-memory window holds.</summary>
public enum SlowClientPolicy
{
    /// <summary>
    /// Nothing is skipped: it catches up from the store (without a store it holds the posters
    /// back). Only a member whose socket takes no bytes for <see cref="ChatOptions.SlowClientTimeout"/>
    /// is disconnected, told why when its socket still has room.
    /// </summary>
    Disconnect,

    /// <summary>Skip the messages it missed, count them, and tell it how many when it reads again; nobody waits for it.</summary>
    Drop,
}
