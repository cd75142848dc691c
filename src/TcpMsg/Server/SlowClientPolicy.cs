namespace TcpMsg.Server;

/// <summary>What the chat room does with a member that falls further behind than its queue holds.</summary>
public enum SlowClientPolicy
{
    /// <summary>Disconnect it, telling it why when its socket still has room.</summary>
    Disconnect,

    /// <summary>Skip the messages it missed, count them, and tell it how many when it reads again.</summary>
    Drop,
}
