using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The chat room's sink: called by the dispatcher after each commit, it puts the batch's messages
/// and the joins, renames and leaves among them into the shared log, in that order, and wakes the
/// members' writers. With a store it never waits: the log is a window, and a member that falls
/// out of it catches up from the store (ChatMember.Delivery.cs). Without one, the log is the only
/// copy: when it is full of what a reading member has not read yet, the relay waits for that
/// member, so the dispatcher, and then the posters' sockets, wait too (backpressure). Only a member
/// whose socket takes no bytes at all is removed (<see cref="ChatStallWatch"/>).
/// </summary>
internal sealed partial class ChatRelay : IServerEventSink
{
    // The cost of a join, rename or leave notice in the log.
    private const long NoticeCost = 96;

    private readonly ChatRoom _room;
    private readonly ChatLog _log;
    private readonly ChatOptions _chat;
    private readonly StoreOptions? _store;
    private readonly ServerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Queue<ChatEntry> _history = new();
    private readonly Dictionary<ConnectionInfo, ChatMember> _members = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<ConnectionInfo, ChatMember> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly List<ChatMember> _left = [];
    // Only the dispatcher's thread (OnBatchAsync) uses these.
    private readonly ChatLinePrefix _prefix = new();
    private readonly System.Buffers.ArrayBufferWriter<byte> _scratch = new(256);
    private readonly List<ChatEntry?> _entries = [];
    private long _historyLastId;
    private bool _seeded;

    public ChatRelay(ChatRoom room, TcpMsgServerOptions options, ServerStatistics statistics, ILogger<ChatRelay> logger)
    {
        _room = room;
        _log = room.Log;
        _chat = room.Options;
        _store = options.Store;
        _statistics = statistics;
        _logger = logger;
        room.Relay = this;
    }

    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        var batch = new ServerEventBatch();
        foreach (var serverEvent in events)
        {
            batch.Add(serverEvent);
        }

        return OnBatchAsync(batch, cancellationToken);
    }

    /// <summary>
    /// The dispatcher's batch, read in place: a message's UTF-8 text goes into its line as it came
    /// (no string, no event object per message); the lines' prefix is made once per batch.
    /// </summary>
    public async ValueTask OnBatchAsync(ServerEventBatch batch, CancellationToken cancellationToken)
    {
        // The lines are made before the log's lock is taken: the members' writers take it meanwhile.
        _entries.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            _entries.Add(batch.IsMessage(i) && !Shared ? Entry(batch.GetMessage(i)) : null);
        }

        var next = 0;
        while (next < batch.Count)
        {
            Task? room = null;
            lock (_log.Lock)
            {
                Seed(batch);
                var appended = false;
                for (; next < batch.Count; next++)
                {
                    if (Shared && batch.IsMessage(next))
                    {
                        // It comes back through the shared store, in the order of every server's messages.
                        continue;
                    }

                    if (CostOf(batch, next) is { } cost && !MakeRoom(cost))
                    {
                        room = _log.WaitForProgress();
                        break;
                    }

                    appended |= _entries[next] is { } entry ? Apply(entry) : Apply(batch.GetEvent(next));
                }

                if (appended)
                {
                    _statistics.OnChatQueueBytes(_log.Bytes);
                    Trim();
                }

                foreach (var member in _members.Values)
                {
                    member.Writer.Wake();
                }
            }

            AfterApplying();
            if (room is not null)
            {
                // No store, and the log is full of what a member has not read: it holds the room back.
                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A plain connection joins at once, before anything says what it is: from now on it is in the
    /// room's order and misses nothing. Its writer starts once the relay reaches the connection's
    /// arrival (<see cref="ClientConnected"/>); the others are told once it is known to be plain
    /// (<see cref="Announce"/>). A connection that turns out to be a confirmed client is withdrawn,
    /// without a word if nobody was told it came (<see cref="Withdraw"/>).
    /// </summary>
    public void Register(ChatMember member)
    {
        lock (_log.Lock)
        {
            Seed(null);
            Start(member);
            _members[member.Connection] = member;
            _pending[member.Connection] = member;
        }
    }

    /// <summary>
    /// A member that joined early is a plain member for sure (its first bytes were plain), or has
    /// been one quietly for a while: the others (and the console) are told it joined. Once.
    /// </summary>
    public void Announce(ChatMember member)
    {
        lock (_log.Lock)
        {
            if (member.IsAnnounced || member.IsGone)
            {
                return;
            }

            member.IsAnnounced = true;
            if (MakeRoom(NoticeCost))
            {
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Joined, Name: member.Name), member));
                foreach (var other in _members.Values)
                {
                    other.Writer.Wake();
                }
            }
        }

        member.OnAnnounced?.Invoke();
    }

    /// <summary>The connection was not a plain member after all (the confirmed preamble came): it leaves the room, quietly if nobody was told it came.</summary>
    public void Withdraw(ChatMember member)
    {
        lock (_log.Lock)
        {
            member.Leave();
            _pending.Remove(member.Connection);
            if (_members.TryGetValue(member.Connection, out var held) && ReferenceEquals(held, member))
            {
                _members.Remove(member.Connection);
            }

            if (member.IsAnnounced && MakeRoom(NoticeCost))
            {
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Left, Name: member.Name), member));
                foreach (var other in _members.Values)
                {
                    other.Writer.Wake();
                }
            }
        }

        _room.Leave(member);
    }

    /// <summary>What the event at <paramref name="index"/> adds to the log; null when it adds nothing.</summary>
    private long? CostOf(ServerEventBatch batch, int index) =>
        batch.IsMessage(index) ? batch.GetMessage(index).Utf8Text.Length + NoticeCost : CostOf(batch.GetEvent(index));

    private long? CostOf(ServerEvent serverEvent) => serverEvent switch
    {
        ReceivedMessage message => message.ByteCount + NoticeCost,
        ChatMemberEvent { Member: { IsAnnounced: false } } => NoticeCost,
        ChatMemberEvent { IsRename: true } => NoticeCost,
        ClientDisconnected disconnected when _members.ContainsKey(disconnected.Connection) => NoticeCost,
        _ => null,
    };

    /// <summary>A message's entry, its line made from its UTF-8 text (on the dispatcher's thread, outside the lock).</summary>
    private ChatEntry Entry(ReceivedMessageView message)
    {
        var name = message.Sender ?? message.Connection.EndPoint;
        return ChatEntry.Message(message.Id, message.Timestamp, name, message.Utf8Text, _prefix.For(message.Timestamp, name), _scratch, message.ChatOrigin);
    }

    /// <summary>Under the log's lock: one message into the log.</summary>
    private bool Apply(ChatEntry entry)
    {
        _log.Append(entry);
        Remember(entry);
        return true;
    }

    /// <summary>Under the log's lock: one event into the log. True when something was appended.</summary>
    private bool Apply(ServerEvent serverEvent)
    {
        switch (serverEvent)
        {
            case ReceivedMessage message:
                // A message given as an object (OnEventsAsync): made here, once.
                var name = message.Sender ?? message.Connection.EndPoint;
                var prefix = new ChatLinePrefix().For(message.Timestamp, name);
                return Apply(ChatEntry.Message(message.Id, message.Timestamp, name, System.Text.Encoding.UTF8.GetBytes(message.Text), prefix, new System.Buffers.ArrayBufferWriter<byte>(), message.ChatOrigin));
            case ClientConnected connected when _pending.Remove(connected.Connection, out var member):
                // Its place in the order was taken when it connected; from here on its writer goes.
                member.Release();
                return false;
            case ChatMemberEvent { IsRename: false, Member: { IsAnnounced: false, IsGone: true } member }:
                // Its connection ended before the relay got to its join: nobody hears of it.
                _left.Add(member);
                return false;
            case ChatMemberEvent { IsRename: false, Member: { IsAnnounced: false } member }:
                // History and the live stream start at the same point of the order: nothing missed, nothing twice.
                Start(member);
                member.Release();
                _members[member.Connection] = member;
                return AppendJoined(member);
            case ChatMemberEvent { IsRename: true, Member: { } member } renamed:
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Renamed, Name: renamed.PreviousName, NewName: renamed.Name), member));
                return true;
            case ClientDisconnected disconnected when _members.Remove(disconnected.Connection, out var gone):
                gone.Leave();
                _left.Add(gone);
                if (!gone.IsAnnounced)
                {
                    return false;
                }

                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Left, Name: gone.Name, Reason: ChatLines.Reason(disconnected.Reason)), gone));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Under the log's lock: the member starts at the log's tail, after the history.</summary>
    private void Start(ChatMember member)
    {
        var who = _room.Who();
        var welcome = new NoticeFrame(NoticeKind.Who, Members: who);
        member.Start([.. _history], ChatEntry.Notice(welcome, null, member.IsPlain ? ChatLines.Welcome(member.Name, who) : null), _log.Tail, Math.Max(_log.LastId, _historyLastId));
    }

    private bool AppendJoined(ChatMember member)
    {
        member.IsAnnounced = true;
        _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Joined, Name: member.Name), member));
        return true;
    }

    /// <summary>Outside the log's lock: names given back.</summary>
    private void AfterApplying()
    {
        foreach (var member in _left)
        {
            _room.Leave(member);
        }

        _left.Clear();
    }

    /// <summary>
    /// Under the log's lock: room for an entry of <paramref name="cost"/>. What every member reading
    /// the log has passed is let go first. With a store (or the drop policy) the oldest entries go
    /// too, read or not: whoever had not read them catches up from the store (or skips them).
    /// Without, false: the relay must wait for the slowest member.
    /// </summary>
    private bool MakeRoom(long cost)
    {
        if (_log.HasRoom(cost))
        {
            return true;
        }

        Trim();
        if (_log.HasRoom(cost))
        {
            return true;
        }

        if (_room.Backlog is not null || _chat.DropForSlowMembers)
        {
            while (!_log.HasRoom(cost))
            {
                _log.EvictOldest();
            }

            return true;
        }

        // Members not let in yet must not hold the room back: they go now.
        foreach (var member in _pending.Values)
        {
            member.Release();
            member.Writer.Wake();
        }

        return false;
    }

    /// <summary>Under the log's lock: lets go of what every member reading the log has passed (its own messages count as passed).</summary>
    private void Trim()
    {
        var slowest = _log.Tail;
        var notices = long.MaxValue;
        foreach (var member in _members.Values)
        {
            if (member.HoldsLog())
            {
                member.SkipOwn();
                slowest = Math.Min(slowest, member.Cursor);
            }
            else if (member.NoticeCursor is { } cursor)
            {
                notices = Math.Min(notices, cursor);
            }
        }

        _log.EvictBefore(slowest);

        // Notices the ring let go of are kept while a member catching up from the store needs them.
        _log.EvictNoticesBefore(Math.Min(notices, _log.Head));
    }

    private void Remember(ChatEntry entry)
    {
        if (_chat.HistorySize == 0 || (entry.Key > 0 && entry.Key <= _historyLastId))
        {
            return;
        }

        if (_history.Count == _chat.HistorySize)
        {
            _history.Dequeue();
        }

        _history.Enqueue(entry);
        _historyLastId = Math.Max(_historyLastId, entry.Key);
    }

    /// <summary>
    /// Under the log's lock, once: after a restart, the history comes from the store: the last
    /// messages it had before <paramref name="first"/> (committed already, and coming next).
    /// </summary>
    private void Seed(ServerEventBatch? first)
    {
        if (_seeded)
        {
            return;
        }

        _seeded = true;
        if (_store is null || _chat.HistorySize == 0 || !MessageHistory.MayExist(_store))
        {
            return;
        }

        try
        {
            var before = FirstId(first);
            using var history = MessageHistory.Open(_store);
            var lines = new ChatLinePrefix();
            var scratch = new System.Buffers.ArrayBufferWriter<byte>(256);
            foreach (var stored in history.Read(HistoryQuery.Default with { Limit = _chat.HistorySize + (first?.Count ?? 0) }).Where(m => m.Id < before))
            {
                Remember(ChatBacklog.Entry(stored, lines, scratch));
            }
        }
        catch (StoreException ex)
        {
            LogSeedFailed(ex.Message);
        }
    }

    private static long FirstId(ServerEventBatch? batch)
    {
        var first = long.MaxValue;
        for (var i = 0; i < (batch?.Count ?? 0); i++)
        {
            if (batch!.IsMessage(i) && batch.GetMessage(i).Id is > 0 and var id)
            {
                first = Math.Min(first, id);
            }
        }

        return first;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "chat: the history could not be read from the store ({Reason}); members joining now get none")]
    private partial void LogSeedFailed(string reason);
}
