using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// What a member is sent, and in which order. In the log, the member reads from its cursor; once
/// the log let go of entries it had not read (a burst larger than the window), it is behind: it
/// reads the store after the last message id it has, page by page, at the pace its socket takes
/// them, and goes back to the log where the log holds everything after that id. Ids make the
/// switch exact both ways: no gap, nothing twice. The notices said meanwhile (joins, leaves,
/// renames; the log keeps the recent ones apart, <see cref="ChatLog.MaxNotices"/>) come in their
/// place between the messages, by the key each notice has: the id of the message before it.
/// </summary>
internal sealed partial class ChatMember
{
    private readonly Queue<ChatEntry> _caughtUp = new();
    private List<ChatEntry>? _history;
    private ChatEntry? _welcome;
    private long _cursor;
    private long _lastId;
    private long _dropped;
    private long _noticeCursor;
    private bool _behind;

    /// <summary>Under the log's lock: for a member catching up from the store, the log sequence of the next notice it is due; else null.</summary>
    public long? NoticeCursor => _behind && !IsGone ? _noticeCursor : null;

    /// <summary>Under the log's lock: its writer should read a page of the store (<see cref="ReadBacklogAsync"/>) before it takes.</summary>
    public bool NeedsBacklog => _behind && _caughtUp.Count == 0 && _lastId < _log.FloorId && !IsGone;

    /// <summary><see cref="NeedsBacklog"/>, for the writer (outside the lock).</summary>
    public bool WantsBacklog()
    {
        lock (_log.Lock)
        {
            return NeedsBacklog;
        }
    }

    /// <summary>
    /// The writer takes what is next, up to about <paramref name="budget"/> bytes: history, the
    /// welcome, then its own notices, then a DROPPED count if any, then the room. Nothing before the
    /// relay let it in. Returns true when more is waiting.
    /// </summary>
    public bool Take(List<ChatItem> into, long budget)
    {
        var before = into.Count;
        lock (_log.Lock)
        {
            if (IsGone || !_joined || !_released)
            {
                return false;
            }

            if (_history is { } history)
            {
                foreach (var entry in history)
                {
                    into.Add(new ChatItem(entry, History: true));
                }

                into.Add(new ChatItem(_welcome!, History: false));
                _history = null;
                _welcome = null;
            }

            while (budget > 0 && _private.TryDequeue(out var notice))
            {
                into.Add(new ChatItem(notice, History: false));
                budget -= notice.Cost;
            }

            var start = _cursor;
            if (!_behind && _cursor < _log.Head)
            {
                FellBehind();
            }

            if (_dropped > 0 && budget > 0)
            {
                into.Add(new ChatItem(ChatEntry.Notice(new NoticeFrame(NoticeKind.Dropped, Count: _dropped)), History: false));
                _dropped = 0;
            }

            if (_behind)
            {
                budget = TakeCaughtUp(into, budget);
            }

            if (!_behind)
            {
                TakeLive(into, budget);
            }

            if (_cursor != start)
            {
                _log.OnProgress();
            }

            _statistics.OnChatDeliveries(into.Count - before);
            return _private.Count > 0 || _behind || _cursor < _log.Tail;
        }
    }

    /// <summary>
    /// Reads the next page of the store for a member that is behind; false when the store could not
    /// be read (the caller tries again a little later).
    /// </summary>
    public async Task<bool> ReadBacklogAsync(CancellationToken cancellationToken)
    {
        long after;
        long floor;
        lock (_log.Lock)
        {
            if (!NeedsBacklog)
            {
                return true;
            }

            after = _lastId;
            floor = _log.FloorId;
        }

        ArraySegment<ChatEntry> page;
        try
        {
            page = await _room.Backlog!.ReadAsync(after, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            _room.OnBacklogFailed(Name, ex);
            return false;
        }

        _room.OnBacklogRead();

        lock (_log.Lock)
        {
            if (page.Count == 0)
            {
                // The store has nothing after it: what the log let go of up to floor was committed
                // before, so it is not there any more (retention); the log has the rest.
                _lastId = Math.Max(_lastId, floor);
                return true;
            }

            var before = _caughtUp.Count;
            foreach (var stored in page)
            {
                if (stored.Key <= _lastId)
                {
                    continue;
                }

                _lastId = stored.Key;
                if (!IsOwn(stored))
                {
                    _caughtUp.Enqueue(stored);
                }
            }

            _statistics.OnChatCaughtUp(_caughtUp.Count - before);
        }

        return true;
    }

    /// <summary>Under the log's lock: the log let go of entries it had not read.</summary>
    private void FellBehind()
    {
        if (_room.Backlog is not null && !_room.Options.DropForSlowMembers)
        {
            // It reads the store from its last message on, and comes back to the log after; the
            // notices from its place in the log on come in between.
            _behind = true;
            _noticeCursor = _cursor;
            return;
        }

        // The drop policy: skip ahead, count, and say so.
        var skipped = _log.Head - _cursor;
        _dropped += skipped;
        _cursor = _log.Head;
        _statistics.OnChatDropped(skipped);
    }

    /// <summary>Under the log's lock: what was read from the store, then back to the log once it holds everything after.</summary>
    private long TakeCaughtUp(List<ChatItem> into, long budget)
    {
        while (budget > 0 && _caughtUp.TryDequeue(out var entry))
        {
            budget = TakeNotices(into, budget, entry.Key, long.MaxValue);
            into.Add(new ChatItem(entry, History: false));
            budget -= entry.Cost;
        }

        if (_caughtUp.Count == 0 && _lastId >= _log.FloorId)
        {
            _cursor = _log.FirstAfter(_lastId);
            budget = TakeNotices(into, budget, long.MaxValue, _cursor);
            _behind = false;
        }

        return budget;
    }

    /// <summary>
    /// Under the log's lock: the notices due before the message with id <paramref name="beforeId"/>
    /// (placed after an earlier message) and before the log's <paramref name="beforeSequence"/>.
    /// </summary>
    private long TakeNotices(List<ChatItem> into, long budget, long beforeId, long beforeSequence)
    {
        while (_log.NoticeAtOrAfter(_noticeCursor) is { } notice && notice.Key < beforeId && notice.Sequence < beforeSequence)
        {
            _noticeCursor = notice.Sequence + 1;
            if (!ReferenceEquals(notice.Origin, this))
            {
                into.Add(new ChatItem(notice, History: false));
                budget -= notice.Cost;
            }
        }

        return budget;
    }

    /// <summary>Under the log's lock: the log from its cursor on, but not its own messages, nor what it already had from the store.</summary>
    private void TakeLive(List<ChatItem> into, long budget)
    {
        while (budget > 0 && _cursor < _log.Tail)
        {
            var entry = _log[_cursor++];
            if (entry.IsMessage && entry.Key > 0)
            {
                if (entry.Key <= _lastId)
                {
                    continue;
                }

                _lastId = entry.Key;
            }

            if (!IsOwn(entry))
            {
                into.Add(new ChatItem(entry, History: false));
                budget -= entry.Cost;
            }
        }
    }

    /// <summary>
    /// Its own message: posted by this member (<see cref="ChatEntry.Origin"/>), or read back from the
    /// store as sent on its connection (a member catching up, or the room on a shared store).
    /// </summary>
    private bool IsOwn(ChatEntry entry) =>
        ReferenceEquals(entry.Origin, this) || (entry.StoredConnectionId is { } connection && connection == Connection.Id);

    /// <summary>Under the log's lock: moves past its own messages at its cursor, which it is not sent: they do not count as unread.</summary>
    public void SkipOwn()
    {
        while (_cursor < _log.Tail && IsOwn(_log[_cursor]))
        {
            var entry = _log[_cursor++];
            if (entry.IsMessage)
            {
                _lastId = Math.Max(_lastId, entry.Key);
            }
        }
    }
}
