namespace TcpMsg.Client;

/// <summary>What a client has sent and what became of it. Safe to read at any time.</summary>
public sealed class DeliveryStatistics
{
    private long _sent;
    private long _delivered;
    private long _failed;
    private long _reconnects;
    private long _lastId;

    /// <summary>Messages queued for sending.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Messages the server acknowledged (confirmed mode) or that were written (plain mode).</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Messages refused by the server or lost with the connection.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Times the client reconnected after a failure.</summary>
    public long Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>The store id of the last message the server acknowledged with an id; 0 when none.</summary>
    public long LastId => Volatile.Read(ref _lastId);

    internal void OnSent() => Interlocked.Increment(ref _sent);

    internal void OnDelivered(long count, long? id)
    {
        Interlocked.Add(ref _delivered, count);
        if (id is > 0)
        {
            Volatile.Write(ref _lastId, id.Value);
        }
    }

    internal void OnFailed() => Interlocked.Increment(ref _failed);

    internal void OnReconnect() => Interlocked.Increment(ref _reconnects);
}
