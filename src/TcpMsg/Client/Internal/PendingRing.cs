namespace TcpMsg.Client.Internal;

/// <summary>
/// The messages sent and not yet settled (acknowledged or failed), indexed by sequence in a ring as
/// large as the window. Not thread-safe: the session holds its lock. The window is only given back
/// as the oldest messages settle, so a slot is never reused while its message is still in flight.
/// </summary>
internal sealed class PendingRing
{
    private readonly Entry[] _entries;
    private long _head = 1;
    private long _next = 1;
    private long _written;

    public PendingRing(int capacity) => _entries = new Entry[capacity];

    /// <summary>The oldest sequence not yet settled; equals <see cref="Next"/> when nothing is pending.</summary>
    public long Head => _head;

    /// <summary>The sequence the next message gets.</summary>
    public long Next => _next;

    public bool IsEmpty => _head == _next;

    /// <summary>Messages sent on the current connection and not yet settled.</summary>
    public bool HasInFlight => _written >= _head;

    /// <summary>Before the first message: continue a sender's numbering after what the server has.</summary>
    public void StartAfter(long lastSequence)
    {
        if (IsEmpty && lastSequence >= _next)
        {
            _head = _next = lastSequence + 1;
            _written = lastSequence;
        }
    }

    public long Add(string text, TaskCompletionSource<long>? completion)
    {
        var sequence = _next++;
        _entries[Slot(sequence)] = new Entry(text, completion);
        return sequence;
    }

    /// <summary>Takes the messages not yet written on this connection.</summary>
    public void TakeUnwritten(List<(long Sequence, string Text)> into)
    {
        for (var sequence = Math.Max(_written + 1, _head); sequence < _next; sequence++)
        {
            ref var entry = ref _entries[Slot(sequence)];
            if (!entry.Settled)
            {
                into.Add((sequence, entry.Text));
            }
        }

        _written = _next - 1;
    }

    /// <summary>A new connection: what the server already has is delivered; everything else is written again.</summary>
    public int OnReconnected(long serverLast, DeliveryStatistics statistics)
    {
        var released = AcknowledgeUpTo(serverLast, null, statistics);
        _written = _head - 1;
        return released;
    }

    /// <summary>Cumulative acknowledgement; returns how many window slots were freed.</summary>
    public int AcknowledgeUpTo(long sequence, long? id, DeliveryStatistics statistics)
    {
        var last = Math.Min(sequence, _next - 1);
        long delivered = 0;
        for (var s = _head; s <= last; s++)
        {
            ref var entry = ref _entries[Slot(s)];
            if (!entry.Settled)
            {
                entry.Settled = true;
                entry.Completion?.TrySetResult(s == sequence ? id ?? 0 : 0);
                delivered++;
            }
        }

        if (delivered > 0)
        {
            statistics.OnDelivered(delivered, last == sequence ? id : null);
        }

        return Advance();
    }

    /// <summary>One message failed; returns how many window slots were freed.</summary>
    public int Fail(long sequence, Exception error, DeliveryStatistics statistics)
    {
        if (sequence < _head || sequence >= _next)
        {
            return 0;
        }

        ref var entry = ref _entries[Slot(sequence)];
        if (!entry.Settled)
        {
            entry.Settled = true;
            entry.Completion?.TrySetException(error);
            statistics.OnFailed();
        }

        return Advance();
    }

    /// <summary>Everything pending failed; returns how many window slots were freed.</summary>
    public int FailAll(Exception error, DeliveryStatistics statistics)
    {
        var released = 0;
        while (!IsEmpty)
        {
            released += Fail(_head, error, statistics);
        }

        return released;
    }

    private int Advance()
    {
        var released = 0;
        while (_head < _next && _entries[Slot(_head)].Settled)
        {
            _entries[Slot(_head)] = default;
            _head++;
            released++;
        }

        return released;
    }

    private int Slot(long sequence) => (int)(sequence % _entries.Length);

    private struct Entry
    {
        public Entry(string text, TaskCompletionSource<long>? completion)
        {
            Text = text;
            Completion = completion;
        }

        public string Text;
        public TaskCompletionSource<long>? Completion;
        public bool Settled;
    }
}
