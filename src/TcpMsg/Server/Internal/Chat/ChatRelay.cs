using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The chat room's sink: called by the dispatcher after each commit, it puts the batch's messages
/// and the joins, renames and leaves among them into the shared log, in that order, and wakes the
/// members' writers. It never waits: a member that cannot keep up falls behind in the log, and once
/// it is further behind than the log holds it is dropped from or skipped ahead (the slow-client
/// policy), so no member ever slows the dispatcher, the store or the others.
/// </summary>
internal sealed partial class ChatRelay : IServerEventSink
{
    private readonly ChatRoom _room;
    private readonly ChatLog _log;
    private readonly ChatOptions _chat;
    private readonly StoreOptions? _store;
    private readonly ServerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Queue<ChatEntry> _history = new();
    private readonly Dictionary<ConnectionInfo, ChatMember> _members = new(ReferenceEqualityComparer.Instance);
    private readonly List<ChatMember> _evicted = [];
    private readonly List<ChatMember> _left = [];
    private bool _seeded;

    public ChatRelay(ChatRoom room, TcpMsgServerOptions options, ServerStatistics statistics, ILogger<ChatRelay> logger)
    {
        _room = room;
        _log = room.Log;
        _chat = room.Options;
        _store = options.Store;
        _statistics = statistics;
        _logger = logger;
    }

    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        if (!_seeded)
        {
            _seeded = true;
            SeedHistory(events);
        }

        var appended = false;
        lock (_log.Lock)
        {
            for (var i = 0; i < events.Count; i++)
            {
                appended |= Apply(events[i]);
            }

            if (appended)
            {
                _statistics.OnChatQueueBytes(_log.Bytes);
                CheckMembers();
            }
        }

        foreach (var member in _left)
        {
            _room.Leave(member);
        }

        foreach (var member in _evicted)
        {
            member.CompleteEviction();
        }

        _left.Clear();
        _evicted.Clear();
        if (appended)
        {
            foreach (var member in _members.Values)
            {
                member.Writer.Wake();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Under the log's lock: one event into the log. True when something was appended.</summary>
    private bool Apply(ServerEvent serverEvent)
    {
        switch (serverEvent)
        {
            case ReceivedMessage message:
                var entry = ChatEntry.Message(message.Id, message.Timestamp, message.Sender ?? message.Connection.EndPoint, message.Text, message.ByteCount, message.ChatOrigin);
                _log.Append(entry);
                Remember(entry);
                return true;
            case ChatMemberEvent { Change: ChatMemberChange.Joined, Member: { } member }:
                // History and the live stream start at the same point of the order: nothing missed, nothing twice.
                var who = _room.Who();
                var welcome = new NoticeFrame(NoticeKind.Who, Members: who);
                member.Start([.. _history], ChatEntry.Notice(welcome, null, member.IsPlain ? ChatLines.Welcome(member.Name, who) : null), _log.Tail);
                _members[member.Connection] = member;
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Joined, Name: member.Name), member));
                return true;
            case ChatMemberEvent { Change: ChatMemberChange.Renamed, Member: { } member } renamed:
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Renamed, Name: renamed.PreviousName, NewName: renamed.Name), member));
                return true;
            case ClientDisconnected disconnected when _members.Remove(disconnected.Connection, out var gone):
                _log.Append(ChatEntry.Notice(new NoticeFrame(NoticeKind.Left, Name: gone.Name, Reason: ChatLines.Reason(disconnected.Reason)), gone));
                _left.Add(gone);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Under the log's lock: a member whose cursor is before the log's head missed evicted entries
    /// (too slow); everything before the slowest cursor is let go.
    /// </summary>
    private void CheckMembers()
    {
        var slowest = _log.Tail;
        var detail = $"more than {_chat.MaxQueuedMessages} messages or {_chat.MaxQueuedBytes / 1024} KiB waiting";
        foreach (var member in _members.Values)
        {
            // An evicted member stays a member until its connection has ended (then the others
            // hear why it left), but it reads no more, so it holds nothing back.
            if (member.IsEvicted)
            {
                continue;
            }

            if (member.Cursor < _log.Head && member.OnOverrun(_chat.SlowClients, detail))
            {
                _evicted.Add(member);
                continue;
            }

            slowest = Math.Min(slowest, member.Cursor);
        }

        _log.EvictBefore(slowest);
    }

    private void Remember(ChatEntry entry)
    {
        if (_chat.HistorySize == 0)
        {
            return;
        }

        if (_history.Count == _chat.HistorySize)
        {
            _history.Dequeue();
        }

        _history.Enqueue(entry);
    }

    /// <summary>
    /// After a restart, the history comes from the store: the last messages it had before the first
    /// batch the relay sees (that batch is committed already, and comes next).
    /// </summary>
    private void SeedHistory(IReadOnlyList<ServerEvent> first)
    {
        if (_store is null || _chat.HistorySize == 0 || !File.Exists(_store.Path))
        {
            return;
        }

        try
        {
            var before = first.OfType<ReceivedMessage>().Select(m => m.Id).Where(id => id > 0).DefaultIfEmpty(long.MaxValue).Min();
            using var history = MessageHistory.Open(_store.Path);
            foreach (var stored in history.Read(HistoryQuery.Default with { Limit = _chat.HistorySize + first.Count }).Where(m => m.Id < before))
            {
                Remember(ChatEntry.Message(stored.Id, stored.ReceivedAt, stored.Sender ?? stored.PeerEndPoint, stored.Text, System.Text.Encoding.UTF8.GetByteCount(stored.Text), null));
            }
        }
        catch (StoreException ex)
        {
            LogSeedFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "chat: the history could not be read from the store ({Reason}); members joining now get none")]
    private partial void LogSeedFailed(string reason);
}
