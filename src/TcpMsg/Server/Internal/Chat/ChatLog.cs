namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The recent part of what the chat room sends, in the one order every member sees: a ring of
/// entries numbered by sequence, shared by all members, each of which keeps its own position (a
/// cursor) in it. It is a cache, not the source of truth: with a store, an entry may be let go
/// before a member read it, and that member catches up from the store (every message is stored)
/// by message id. Each entry has a key: a message's id, or for a notice the id of the last message
/// before it, so keys never decrease along the ring. The room's notices (joins, leaves, renames)
/// are not stored, so the log keeps the recent ones a while longer, on their own (at most
/// <see cref="MaxNotices"/>): a member catching up from the store gets them in their place. Not
/// thread-safe on its own: everything happens under <see cref="Lock"/>.
/// </summary>
internal sealed class ChatLog
{
    /// <summary>Notices kept for members catching up, beyond what the ring holds.</summary>
    public const int MaxNotices = 4096;

    private readonly ChatEntry?[] _ring;
    private readonly List<ChatEntry> _notices = [];
    private int _noticeHead;
    private readonly long _maxBytes;
    private TaskCompletionSource? _progress;
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

    /// <summary>The id of the newest message appended (0 before the first, or without a store).</summary>
    public long LastId { get; private set; }

    /// <summary>The key of the newest entry let go: every message with a larger id is still held (or still to come).</summary>
    public long FloorId { get; private set; }

    public ChatEntry this[long sequence] => _ring[sequence % _ring.Length]!;

    /// <summary>True when an entry of <paramref name="cost"/> fits without letting go of anything.</summary>
    public bool HasRoom(long cost) => _tail - _head < _ring.Length && (_tail == _head || _bytes + cost <= _maxBytes);

    /// <summary>Adds an entry; the caller made room for it first (<see cref="HasRoom"/>, <see cref="EvictOldest"/>).</summary>
    public void Append(ChatEntry entry)
    {
        if (_tail - _head == _ring.Length)
        {
            EvictOldest();
        }

        if (entry.IsMessage)
        {
            LastId = Math.Max(LastId, entry.Key);
        }
        else
        {
            entry.Place(LastId);
            KeepNotice(entry);
        }

        entry.Number(_tail);
        _ring[_tail % _ring.Length] = entry;
        _tail++;
        _bytes += entry.Cost;
    }

    /// <summary>Lets go of entries before <paramref name="sequence"/>: every member that reads from here has passed them.</summary>
    public void EvictBefore(long sequence)
    {
        while (_head < sequence && _head < _tail)
        {
            EvictOldest();
        }
    }

    /// <summary>Lets go of the oldest entry, read or not.</summary>
    public void EvictOldest()
    {
        ref var slot = ref _ring[_head % _ring.Length];
        _bytes -= slot!.Cost;
        FloorId = Math.Max(FloorId, slot.Key);
        slot = null;
        _head++;
    }

    /// <summary>
    /// Where a member that has every message up to <paramref name="lastId"/> goes on: the first
    /// message after it, or a notice that came after it. The keys never decrease, so this is a
    /// binary search.
    /// </summary>
    public long FirstAfter(long lastId)
    {
        long low = _head, high = _tail;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var entry = this[middle];
            if (entry.IsMessage ? entry.Key > lastId : entry.Key >= lastId)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>The first notice kept whose sequence is at least <paramref name="sequence"/>; null when none is.</summary>
    public ChatEntry? NoticeAtOrAfter(long sequence)
    {
        int low = _noticeHead, high = _notices.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_notices[middle].Sequence >= sequence)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low < _notices.Count ? _notices[low] : null;
    }

    /// <summary>Lets go of the notices before <paramref name="sequence"/>: no member catching up needs them.</summary>
    public void EvictNoticesBefore(long sequence)
    {
        while (_noticeHead < _notices.Count && _notices[_noticeHead].Sequence < sequence)
        {
            _notices[_noticeHead++] = null!;
        }

        Compact();
    }

    private void KeepNotice(ChatEntry notice)
    {
        _notices.Add(notice);
        if (_notices.Count - _noticeHead > MaxNotices)
        {
            // A member this far behind misses the oldest notices; never a message.
            _notices[_noticeHead++] = null!;
        }

        Compact();
    }

    private void Compact()
    {
        if (_noticeHead == _notices.Count)
        {
            _notices.Clear();
            _noticeHead = 0;
        }
        else if (_noticeHead > 64 && _noticeHead > _notices.Count / 2)
        {
            _notices.RemoveRange(0, _noticeHead);
            _noticeHead = 0;
        }
    }

    /// <summary>A task that completes when some member moves on (see <see cref="OnProgress"/>): the relay waits on it for room.</summary>
    public Task WaitForProgress() => (_progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>A member moved its cursor on, left, or was removed: a relay waiting for room looks again.</summary>
    public void OnProgress()
    {
        if (_progress is { } progress)
        {
            _progress = null;
            progress.TrySetResult();
        }
    }
}
