namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The server-wide budget for bytes received but not yet framed beyond what each connection may
/// hold on its own (<see cref="PerConnection"/>): an unfinished message longer than
/// <see cref="SpillThreshold"/> is moved out of the transport's buffer (<see cref="BudgetedPipeReader"/>),
/// and the room for it is taken before the socket is read further. The room is taken whole, one slot
/// of the largest message at a time, so a connection that holds a slot can always finish its
/// message and none waits on another's half: when every slot is taken, the next long message waits
/// (its socket is not read; TCP slows the sender) until one is given back. Nothing is dropped.
/// The chunks of the spilled messages come from here and go back here, at most
/// <see cref="KeptChunks"/> kept for reuse; the rest are left to the GC (<see cref="MemoryTrimmer"/>).
/// </summary>
internal sealed class ReadBudget : IDisposable
{
    /// <summary>What a connection's transport buffers, unexamined, before it pauses reading the socket.</summary>
    public const int Window = 16 * 1024;

    /// <summary>An unfinished message this long moves out of the transport into a spill (<see cref="BudgetedPipeReader"/>); a longer spill needs a slot.</summary>
    public const int SpillThreshold = 16 * 1024;

    /// <summary>
    /// The most one connection holds outside the budget: an unfinished message just under the
    /// threshold plus one window examined, moved to its spill while it waits for a slot, and one
    /// more window the transport reads meanwhile (each window overshot by one 4 KiB socket read).
    /// </summary>
    public const int PerConnection = SpillThreshold + (2 * (Window + 4096));

    /// <summary>The unit a spilled message is held in: under the GC's large-object threshold.</summary>
    public const int ChunkSize = 64 * 1024;

    private const int KeptChunks = 64;

    private readonly SemaphoreSlim _slots;
    private readonly MessagePipeline? _queue;
    private readonly Stack<byte[]> _chunks = new();
    private readonly Lock _lock = new();
    private long _buffered;
    private long _peak;
    private long _waits;
    private int _waiting;

    public ReadBudget(TcpMsgServerOptions options, MessagePipeline? queue = null)
    {
        _queue = queue;
        SlotBytes = options.MaxMessageSize + (long)PerConnection;

        // At least one slot: a budget smaller than one message would stop the largest one for good.
        Slots = (int)Math.Clamp(options.MaxBufferedBytes / SlotBytes, 1, int.MaxValue);
        _slots = new SemaphoreSlim(Slots, Slots);
    }

    /// <summary>The room one spilled message takes: the largest message plus what one connection may hold besides.</summary>
    public long SlotBytes { get; }

    /// <summary>How many messages longer than the window may be held at once.</summary>
    public int Slots { get; }

    /// <summary>The most bytes the budget lets the server hold, <see cref="Slots"/> x <see cref="SlotBytes"/>.</summary>
    public long Capacity => Slots * SlotBytes;

    /// <summary>Slots taken now.</summary>
    public int SlotsTaken => Slots - _slots.CurrentCount;

    /// <summary>Connections waiting now for a slot (their sockets are not read).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>How many times a connection had to wait for a slot.</summary>
    public long Waits => Interlocked.Read(ref _waits);

    /// <summary>Bytes held in spilled messages now.</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>The most bytes held at once since <see cref="TakePeak"/> was last called.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>
    /// Takes a slot if one is free and the dispatcher's queue has room: a long message, once framed,
    /// goes into that queue, so a slot given back does not let another in while the queue is full.
    /// </summary>
    public bool TryTake() => _queue is not { IsFull: true } && _slots.Wait(0);

    /// <summary>Waits for a slot and room in the dispatcher's queue; the caller's socket is not read meanwhile.</summary>
    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waits);
        Interlocked.Increment(ref _waiting);
        try
        {
            while (true)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (_queue is not { IsFull: true })
                {
                    return;
                }

                _slots.Release();
                await _queue.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Give() => _slots.Release();

    public byte[] RentChunk()
    {
        lock (_lock)
        {
            if (_chunks.TryPop(out var chunk))
            {
                return chunk;
            }
        }

        return GC.AllocateUninitializedArray<byte>(ChunkSize);
    }

    public void ReturnChunk(byte[] chunk)
    {
        lock (_lock)
        {
            if (_chunks.Count < KeptChunks)
            {
                _chunks.Push(chunk);
            }
        }
    }

    public void OnBuffered(long bytes)
    {
        var now = Interlocked.Add(ref _buffered, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
    }

    /// <summary>Returns the peak since the last call and starts the next one from what is held now.</summary>
    public long TakePeak() => Interlocked.Exchange(ref _peak, Buffered);

    /// <summary>Drops the kept chunks, for the GC to take back.</summary>
    public void DropKeptChunks()
    {
        lock (_lock)
        {
            _chunks.Clear();
        }
    }

    public void Dispose() => _slots.Dispose();
}
