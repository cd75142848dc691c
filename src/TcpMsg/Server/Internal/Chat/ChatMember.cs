using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// One connection in the chat room: its name, and where it is in what the room sends: first its
/// history, then notices meant for it alone, then the shared log from its cursor on. The delivery
/// state is guarded by the log's lock; the member's writer takes from here, batch by batch.
/// </summary>
internal sealed class ChatMember
{
    // Answers to commands a member sends without reading them pile up here; past this it is too slow.
    private const int MaxPrivate = 256;

    private readonly ChatLog _log;
    private readonly ServerStatistics _statistics;
    private readonly Queue<ChatEntry> _private = new();
    private List<ChatEntry>? _history;
    private ChatEntry? _welcome;
    private string _name;
    private long _cursor;
    private long _dropped;
    private bool _joined;
    private bool _evicted;

    public ChatMember(ConnectionState state, bool isPlain, IChatWriter writer, string name, ChatLog log, ServerStatistics statistics)
    {
        State = state;
        IsPlain = isPlain;
        Writer = writer;
        _name = name;
        _log = log;
        _statistics = statistics;
    }

    public ConnectionState State { get; }

    public ConnectionInfo Connection => State.Info;

    public bool IsPlain { get; }

    /// <summary>The confirmed-mode client id; null for a plain member.</summary>
    public string? ClientId { get; init; }

    public IChatWriter Writer { get; }

    /// <summary>Its name now; changed by its own session (under the room's lock), read by anyone.</summary>
    public string Name
    {
        get => Volatile.Read(ref _name);
        set => Volatile.Write(ref _name, value);
    }

    /// <summary>Why it was disconnected as too slow, once it was.</summary>
    public string? EvictionDetail { get; private set; }

    /// <summary>Under the log's lock: where it is in the log, for the relay's overrun check.</summary>
    public long Cursor => _cursor;

    /// <summary>Under the log's lock: it was disconnected as too slow, and reads no more.</summary>
    public bool IsEvicted => _evicted;

    /// <summary>
    /// Under the log's lock: the relay let it in, at <paramref name="cursor"/>: it gets
    /// <paramref name="history"/>, then <paramref name="welcome"/> (who is here), then what was
    /// said to it alone meanwhile, then the live log.
    /// </summary>
    public void Start(List<ChatEntry> history, ChatEntry welcome, long cursor)
    {
        _history = history;
        _welcome = welcome;
        _cursor = cursor;
        _joined = true;
    }

    /// <summary>
    /// Under the log's lock: entries it had not read were evicted. Drop: skip them and count.
    /// Disconnect: it is marked evicted and true is returned; the caller then calls
    /// <see cref="CompleteEviction"/> outside the lock.
    /// </summary>
    public bool OnOverrun(SlowClientPolicy policy, string detail)
    {
        if (_evicted)
        {
            return false;
        }

        if (policy == SlowClientPolicy.Drop)
        {
            var skipped = _log.Head - _cursor;
            _dropped += skipped;
            _cursor = _log.Head;
            _statistics.OnChatDropped(skipped);
            return false;
        }

        _evicted = true;
        EvictionDetail = detail;
        return true;
    }

    /// <summary>After <see cref="OnOverrun"/> (outside the lock): tells its writer and closes its connection.</summary>
    public void CompleteEviction()
    {
        _statistics.OnSlowClientDisconnected();
        Writer.Evict($"you did not read fast enough ({EvictionDetail}); disconnected");
        State.Close(DisconnectReason.SlowConsumer);
    }

    /// <summary>Queues a notice for this member alone. False when it was already evicted.</summary>
    public bool Tell(NoticeFrame notice, string? line = null)
    {
        bool overflow;
        lock (_log.Lock)
        {
            if (_evicted)
            {
                return false;
            }

            overflow = _private.Count >= MaxPrivate;
            if (!overflow)
            {
                _private.Enqueue(ChatEntry.Notice(notice, null, line));
            }
        }

        if (overflow)
        {
            Evict($"more than {MaxPrivate} answers unread");
            return false;
        }

        Writer.Wake();
        return true;
    }

    /// <summary>Disconnects it as too slow, once: tells its writer and closes its connection.</summary>
    public void Evict(string detail)
    {
        lock (_log.Lock)
        {
            if (_evicted)
            {
                return;
            }

            _evicted = true;
            EvictionDetail = detail;
        }

        CompleteEviction();
    }

    /// <summary>
    /// The writer takes what is next, up to about <paramref name="budget"/> bytes: history, the
    /// welcome, then its own notices, then a DROPPED count if any, then the log. Nothing before the
    /// relay let it in: the history always comes first. Returns true when more is waiting.
    /// </summary>
    public bool Take(List<ChatItem> into, long budget)
    {
        var before = into.Count;
        lock (_log.Lock)
        {
            // Behind the log's head without being evicted yet: the relay is evicting it right now.
            if (_evicted || !_joined || _cursor < _log.Head)
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

            if (_dropped > 0 && budget > 0)
            {
                into.Add(new ChatItem(ChatEntry.Notice(new NoticeFrame(NoticeKind.Dropped, Count: _dropped)), History: false));
                _dropped = 0;
            }

            while (budget > 0 && _cursor < _log.Tail)
            {
                var entry = _log[_cursor++];
                if (!ReferenceEquals(entry.Origin, this))
                {
                    into.Add(new ChatItem(entry, History: false));
                    budget -= entry.Cost;
                }
            }

            _statistics.OnChatDeliveries(into.Count - before);
            return _private.Count > 0 || _cursor < _log.Tail;
        }
    }

    /// <summary>
    /// How a member's session ends: a slow member's disconnect (<paramref name="member"/> evicted) is
    /// reported with what it was behind by; <paramref name="reason"/> is returned as it is.
    /// </summary>
    public static DisconnectReason ReportEnd(ChatMember? member, DisconnectReason reason, ConnectionState state, MessagePipeline pipeline, TimeProvider time)
    {
        if (reason == DisconnectReason.SlowConsumer && member?.EvictionDetail is { } detail)
        {
            pipeline.Publish(new ConnectionError(
                state.Info,
                time.GetUtcNow(),
                ConnectionErrorCode.SlowConsumer,
                $"{state.Info.EndPoint} ({member.Name}) did not read fast enough ({detail}); disconnected"));
        }

        return reason;
    }
}
