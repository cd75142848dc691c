namespace TcpMsg.Server;

/// <summary>
/// The chat room (<see cref="TcpMsgServerOptions.Chat"/>): every stored message is also delivered to every other
/// member, in commit order. Immutable; start from <see cref="Default"/> and use <c>with</c>.
/// </summary>
public sealed record ChatOptions
{
    /// <summary>The longest name, in characters.</summary>
    public const int MaxNameLength = 32;

    /// <summary>The defaults: 20 messages of history, a window of 10,000 messages or 16 MiB, members whose socket takes nothing for 30 s disconnected.</summary>
    public static ChatOptions Default { get; } = new();

    /// <summary>How many of the last stored messages a member receives when it joins.</summary>
    public int HistorySize { get; init; } = 20;

    /// <summary>
    /// What happens to a member that falls further behind than the window holds. False (the default):
    /// it catches up from the store (without one, it holds the posters back), and only a member whose
    /// socket takes nothing for <see cref="SlowClientTimeout"/> is removed. True: it skips ahead instead,
    /// the messages it missed are dropped for it, and it is told how many.
    /// </summary>
    public bool DropForSlowMembers { get; init; }

    /// <summary>
    /// A member whose socket takes no bytes at all for this long, while the room has something to
    /// send it, is removed, with a notice to it and a line in the server's log. A member that reads,
    /// however far behind, is never removed. <see cref="Timeout.InfiniteTimeSpan"/>: never.
    /// </summary>
    public TimeSpan SlowClientTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most recent messages (and notices) the room keeps in memory for its members: a window
    /// shared by all, each member has its own position in it, so memory does not grow with the
    /// number of members. A member further behind reads the store; without a store the window is
    /// the only copy, and posters wait while a reading member is this far behind.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = 10_000;

    /// <summary>The most message bytes the window holds (text plus a small overhead each).</summary>
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

        if (SlowClientTimeout <= TimeSpan.Zero && SlowClientTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(SlowClientTimeout)} must be positive, or infinite.", nameof(SlowClientTimeout));
        }

        if (Internal.Chat.ChatNames.Problem(ServerName) is { } problem)
        {
            throw new ArgumentException($"{nameof(ServerName)}: {problem}.", nameof(ServerName));
        }
    }
}
