namespace TcpMsg.Server;

/// <summary>The chat room's totals.</summary>
public sealed partial class ServerStatistics
{
    private long _chatDeliveries;
    private long _chatDropped;
    private long _slowClientsDisconnected;
    private long _chatQueuePeakBytes;
    private long _chatCaughtUp;

    /// <summary>Chat: messages and notices handed to members' connections (one per member each).</summary>
    public long ChatDeliveries => Volatile.Read(ref _chatDeliveries);

    /// <summary>Chat: messages skipped for slow members (<see cref="ChatOptions.DropForSlowMembers"/>).</summary>
    public long ChatDropped => Volatile.Read(ref _chatDropped);

    /// <summary>Chat: members disconnected because their socket took no bytes for the slow-client timeout.</summary>
    public long SlowClientsDisconnected => Volatile.Read(ref _slowClientsDisconnected);

    /// <summary>Chat: the most bytes the shared window ever held (bounded by <see cref="ChatOptions.MaxQueuedBytes"/>).</summary>
    public long ChatQueuePeakBytes => Volatile.Read(ref _chatQueuePeakBytes);

    /// <summary>Chat: messages read from the store for members that had fallen out of the in-memory window (and so were not dropped).</summary>
    public long ChatCaughtUp => Volatile.Read(ref _chatCaughtUp);

    internal void OnChatCaughtUp(long count) => Interlocked.Add(ref _chatCaughtUp, count);

    internal void OnChatDeliveries(long count) => Interlocked.Add(ref _chatDeliveries, count);

    internal void OnChatDropped(long count) => Interlocked.Add(ref _chatDropped, count);

    internal void OnSlowClientDisconnected() => Interlocked.Increment(ref _slowClientsDisconnected);

    internal void OnChatQueueBytes(long bytes)
    {
        // Only the dispatcher writes it; readers see the latest value.
        if (bytes > _chatQueuePeakBytes)
        {
            Volatile.Write(ref _chatQueuePeakBytes, bytes);
        }
    }
}
