namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// What the chat room has to send, in the one order every member sees: a ring of entries numbered
/// by sequence, shared by all members, each of which keeps its own position (a cursor) in it. So a
/// message fanned out to a thousand members is stored once, and a member's backlog is the part of
/// the ring after its cursor, bounded by the ring's limits. Entries every member has passed are
/// let go at once; an entry evicted before a member read it means that member fell too far behind.
/// Not thread-safe on its own: everything happens under <see cref="Lock"/>.
/// </summary>
internal sealed class ChatLog
{
    private readonly ChatEntry?[] _ring;
    private readonly long _maxBytes;
    private long _head;
    private long _tail;
    private long _bytes;

    public ChatLog(int maxEntries, long maxBytes)
    {
        _ring = new ChatEntry?[maxEntries];
        _maxBytes = maxBytes;
    }

    public Lock Lock { get; } = new();

    /// <summary>The sequence of the oldest entry still held.</summary>
    public long Head => _head;

    /// <summary>The sequence the next entry gets.</summary>
    public long Tail => _tail;

    /// <summary>The bytes the held entries cost.</summary>
    public long Bytes => _bytes;

    public ChatEntry this[long sequence] => _ring[sequence % _ring.Length]!;

    /// <summary>Adds an entry; evicts the oldest ones while the ring is over its limits (never the new one).</summary>
    public void Append(ChatEntry entry)
    {
        if (_tail - _head == _ring.Length)
        {
            EvictOldest();
        }

        _ring[_tail % _ring.Length] = entry;
        _tail++;
        _bytes += entry.Cost;
        while (_bytes > _maxBytes && _tail - _head > 1)
        {
            EvictOldest();
        }
    }

    /// <summary>Lets go of entries before <paramref name="sequence"/>: every member has passed them.</summary>
    public void EvictBefore(long sequence)
    {
        while (_head < sequence && _head < _tail)
        {
            EvictOldest();
        }
    }

    private void EvictOldest()
    {
        ref var slot = ref _ring[_head % _ring.Length];
        _bytes -= slot!.Cost;
        slot = null;
        _head++;
    }
}
