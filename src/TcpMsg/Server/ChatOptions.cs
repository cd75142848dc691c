namespace TcpMsg.Server;

/// <summary>
/// The chat room (<c>tcpmsg serve --chat</c>): every stored message is also delivered to every other
/// member, in commit order. Immutable; start from <see cref="Default"/> and use <c>with</c>.
/// </summary>
public sealed record ChatOptions
{
    /// <summary>The longest name, in characters.</summary>
    public const int MaxNameLength = 32;

    /// <summary>The defaults: 20 messages of history, 10,000 messages or 16 MiB queued, slow members disconnected.</summary>
    public static ChatOptions Default { get; } = new();

    /// <summary>How many of the last stored messages a member receives when it joins.</summary>
    public int HistorySize { get; init; } = 20;

    /// <summary>What happens to a member that falls further behind than the queue holds.</summary>
    public SlowClientPolicy SlowClients { get; init; } = SlowClientPolicy.Disconnect;

    /// <summary>
    /// The most messages (and notices) waiting to be sent to the members. The queue is shared, each member
    /// has its own position in it: memory does not grow with the number of members.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = 10_000;

    /// <summary>The most message bytes waiting to be sent to the members (text plus a small overhead each).</summary>
    public long MaxQueuedBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>The name of what the server itself posts (<see cref="TcpMsgServer.PostAsync"/>); no member may take it.</summary>
    public string ServerName { get; init; } = "server";

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (HistorySize is < 0 or > 100_000)
        {
            throw new ArgumentException($"{nameof(HistorySize)} must be between 0 and 100000.", nameof(HistorySize));
        }

        // The queue is a ring allocated up front: a million entries is 8 MB of references.
        if (MaxQueuedMessages is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"{nameof(MaxQueuedMessages)} must be between 1 and 1000000.", nameof(MaxQueuedMessages));
        }

        if (MaxQueuedBytes < 1024)
        {
            throw new ArgumentException($"{nameof(MaxQueuedBytes)} must be at least 1 KiB.", nameof(MaxQueuedBytes));
        }

        if (Internal.Chat.ChatNames.Problem(ServerName) is { } problem)
        {
            throw new ArgumentException($"{nameof(ServerName)}: {problem}.", nameof(ServerName));
        }
    }
}
