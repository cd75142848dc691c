namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Set on a connection with a rate limit. The protocol handler says where to read how many messages
/// the connection has delivered; after each read the input layer charges the new ones to the token
/// buckets and pauses reading until the rate allows more. The handler takes at most
/// <see cref="Allowance"/> messages from one read, so a read buffer full of messages is no way past
/// the burst: the rest waits, unread, for the next read. The pauses are the server's time, not the
/// peer's: the connection's clocks leave them out.
/// </summary>
internal interface IMessageRateFeature
{
    /// <summary>True while reading is paused by a rate limit: the connection is busy, not idle.</summary>
    bool IsThrottling { get; }

    /// <summary>When the current pause began (a timestamp of the server's <see cref="TimeProvider"/>); meaningful while <see cref="IsThrottling"/>.</summary>
    long ThrottledSince { get; }

    void CountMessages(Func<long> messagesReceived);

    /// <summary>Messages the handler may take from the read that just returned (at least 1: a read returns only when the rate allows one).</summary>
    long Allowance();

    /// <summary>Timestamp ticks spent paused since the last call (reads that ended since then).</summary>
    long TakeThrottledTicks();
}
