using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// One connection in the chat room: its name, and where it is in what the room sends: first its
/// history, then notices meant for it alone, then the room's messages from its position on, from
/// the shared log or, once it fell out of it, from the store (ChatMember.Delivery.cs). The
/// delivery state is guarded by the log's lock; the member's writer takes from here, batch by batch.
/// </summary>
internal sealed partial class ChatMember
{
    // Answers to commands a member sends without reading them pile up here; past this it is too slow.
    private const int MaxPrivate = 256;

    private readonly ChatRoom _room;
    private readonly ChatLog _log;
    private readonly ServerStatistics _statistics;
    private readonly Queue<ChatEntry> _private = new();
    private string _name;
    private bool _joined;
    private bool _released;
    private bool _evicted;
    private bool _gone;

    public ChatMember(ChatRoom room, ConnectionState state, bool isPlain, IChatWriter writer, string name, ServerStatistics statistics)
    {
        _room = room;
        _log = room.Log;
        State = state;
        IsPlain = isPlain;
        Writer = writer;
        _name = name;
        _statistics = statistics;
    }

    public ConnectionState State { get; }

    /// <summary>The room it is in.</summary>
    public ChatRoom Room => _room;

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

    /// <summary>Under the log's lock: the others were told it joined.</summary>
    public bool IsAnnounced { get; set; }

    /// <summary>Under the log's lock: it was removed, left, or turned out not to be a plain member: it reads no more.</summary>
    public bool IsGone => _gone || _evicted;

    /// <summary>
    /// Under the log's lock: true when it reads from the log at <see cref="Cursor"/>, so the log
    /// keeps what it has not read yet unless the room may let go of it (a store to catch up from,
    /// or the drop policy). One the log already let go past is behind now: with a store it reads
    /// the store (and holds nothing), with the drop policy it skips to the log's oldest entry.
    /// </summary>
    public bool HoldsLog()
    {
        if (!_joined || IsGone || _behind)
        {
            return false;
        }

        if (_cursor < _log.Head)
        {
            FellBehind();
        }

        return !_behind;
    }

    /// <summary>Under the log's lock: where it is in the log.</summary>
    public long Cursor => _cursor;

    /// <summary>
    /// Under the log's lock: the relay let it in, at <paramref name="cursor"/>, having every message
    /// up to <paramref name="lastId"/>: it gets <paramref name="history"/>, then
    /// <paramref name="welcome"/> (who is here), then what was said to it alone meanwhile, then the
    /// room. Nothing is written to it before <see cref="Release"/>.
    /// </summary>
    public void Start(List<ChatEntry> history, ChatEntry welcome, long cursor, long lastId)
    {
        _history = history;
        _welcome = welcome;
        _cursor = cursor;
        _lastId = lastId;
        _joined = true;
    }

    /// <summary>Under the log's lock: its writer may go.</summary>
    public void Release() => _released = true;

    /// <summary>Under the log's lock: its connection turned out to be something else, or ended: it reads no more and holds nothing back.</summary>
    public void Leave()
    {
        _gone = true;
        _log.OnProgress();
    }

    /// <summary>Its connection ended: it holds nothing back while the relay gets to its end.</summary>
    public void Depart()
    {
        lock (_log.Lock)
        {
            Leave();
        }
    }

    /// <summary>What to do once the relay let it in and told the others (a plain member tells the console).</summary>
    public Action? OnAnnounced { get; set; }

    /// <summary>Queues a notice for this member alone. False when it was already removed.</summary>
    public bool Tell(NoticeFrame notice, string? line = null)
    {
        bool overflow;
        lock (_log.Lock)
        {
            if (IsGone)
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
            Evict($"left more than {MaxPrivate} answers unread");
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
            if (IsGone)
            {
                return;
            }

            _evicted = true;
            EvictionDetail = detail;
            _log.OnProgress();
        }

        _statistics.OnSlowClientDisconnected();
        Writer.Evict($"you {detail}; disconnected");
        State.Close(TcpMsgErrorCode.SlowConsumer);
    }

    /// <summary>
    /// How a member's session ends: a slow member's disconnect (<paramref name="member"/> evicted) is
    /// reported with why; <paramref name="reason"/> is returned as it is.
    /// </summary>
    public static TcpMsgErrorCode ReportEnd(ChatMember? member, TcpMsgErrorCode reason, ConnectionState state, MessagePipeline pipeline, TimeProvider time)
    {
        if (reason == TcpMsgErrorCode.SlowConsumer && member?.EvictionDetail is { } detail)
        {
            pipeline.Publish(new ConnectionError(
                state.Info,
                time.GetUtcNow(),
                TcpMsgErrorCode.SlowConsumer,
                $"{state.Info.EndPoint} ({member.Name}) {detail}; disconnected"));
        }

        return reason;
    }
}
