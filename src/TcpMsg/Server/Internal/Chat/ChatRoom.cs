using Microsoft.Extensions.Logging;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The chat room's names: who is in the room and under which name. A name is taken at once, under
/// this room's lock, so two members can never get the same one; it is given back when the relay
/// has told everyone the member left. Holds the shared log the members read from, and the store's
/// backlog those that fell out of the log catch up from.
/// </summary>
internal sealed partial class ChatRoom : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ChatMember> _names = new(ChatNames.Comparer);
    private readonly ServerStatistics _statistics;
    private readonly ILogger _logger;
    private int _backlogFailures;

    public ChatRoom(TcpMsgServerOptions options, ServerStatistics statistics, TimeProvider time, ILogger<ChatRoom> logger)
    {
        Options = options.Chat ?? throw new InvalidOperationException("the server runs no chat room");
        Log = new ChatLog(Options.MaxQueuedMessages, Options.MaxQueuedBytes);
        Backlog = options.Store is { } store ? new ChatBacklog(store) : null;
        Time = time;
        _statistics = statistics;
        _logger = logger;
    }

    public ChatOptions Options { get; }

    public ChatLog Log { get; }

    /// <summary>The store members catch up from; null without one (then a lagging member holds the posters back).</summary>
    public ChatBacklog? Backlog { get; }

    /// <summary>The server's clock: what the members' writers measure stalls on.</summary>
    public TimeProvider Time { get; }

    /// <summary>The relay, which lets members in (set once, when it is made).</summary>
    public ChatRelay? Relay { get; set; }

    /// <summary>
    /// A connection joins: it gets <paramref name="requested"/> when that is a valid free name,
    /// else its address (<paramref name="refusal"/> says why). A name still held by an earlier
    /// connection of the same <paramref name="clientId"/> (a client reconnecting before the room
    /// noticed it left) is handed over.
    /// </summary>
    public ChatMember Join(ConnectionState state, bool plain, IChatWriter writer, string? requested, out string? refusal, string? clientId = null)
    {
        refusal = null;
        var address = state.Info.EndPoint;
        lock (_lock)
        {
            string name;
            if (requested is not null && (refusal = Check(requested, null, clientId)) is null)
            {
                name = requested;
                _names.Remove(name);
            }
            else
            {
                // Addresses cannot collide with chosen names (those have no ':'), only, in theory, with each other.
                name = address;
                for (var n = 2; _names.ContainsKey(name); n++)
                {
                    name = $"{address}#{n}";
                }
            }

            var member = new ChatMember(this, state, plain, writer, name, _statistics) { ClientId = clientId };
            _names.Add(name, member);
            return member;
        }
    }

    /// <summary>Renames <paramref name="member"/>; false, with the reason, when the name is not valid or in use.</summary>
    public bool TryRename(ChatMember member, string requested, out string previous, out string? refusal)
    {
        lock (_lock)
        {
            previous = member.Name;
            refusal = Check(requested, member);
            if (refusal is not null)
            {
                return false;
            }

            _names.Remove(previous);
            _names.Add(requested, member);
            member.Name = requested;
            return true;
        }
    }

    /// <summary>The members' names, sorted.</summary>
    public List<string> Who()
    {
        lock (_lock)
        {
            var names = _names.Keys.ToList();
            names.Sort(ChatNames.Comparer);
            return names;
        }
    }

    /// <summary>
    /// For the metrics: how many members, and how many log entries the furthest behind has yet to
    /// read (taken under the log's lock, where the cursors move).
    /// </summary>
    public (int Members, long MaxLag) Lag()
    {
        ChatMember[] members;
        lock (_lock)
        {
            members = [.. _names.Values];
        }

        long maxLag = 0;
        lock (Log.Lock)
        {
            foreach (var member in members)
            {
                if (!member.IsGone)
                {
                    maxLag = Math.Max(maxLag, Log.Tail - member.Cursor);
                }
            }
        }

        return (members.Length, maxLag);
    }

    /// <summary>The member left (the others were told): its name is free again.</summary>
    public void Leave(ChatMember member)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(member.Name, out var holder) && ReferenceEquals(holder, member))
            {
                _names.Remove(member.Name);
            }
        }
    }

    /// <summary>The name a connection that posts without joining goes by: its HELLO name when valid and no member's, else its address.</summary>
    public string PosterName(string? requested, ConnectionInfo connection)
    {
        lock (_lock)
        {
            return requested is not null && Check(requested, null) is null ? requested : connection.EndPoint;
        }
    }

    private string? Check(string name, ChatMember? renaming, string? clientId = null)
    {
        if (ChatNames.Problem(name) is { } problem)
        {
            return problem;
        }

        if (ChatNames.Comparer.Equals(name, Options.ServerName))
        {
            return $"{name} is the server's name";
        }

        return _names.TryGetValue(name, out var holder) && !ReferenceEquals(holder, renaming) && (clientId is null || holder.ClientId != clientId)
            ? $"{name} is in use"
            : null;
    }

    /// <summary>A member could not read the store to catch up; it tries again. Logged once per run of failures.</summary>
    public void OnBacklogFailed(string member, StoreException failure)
    {
        if (Interlocked.Increment(ref _backlogFailures) == 1)
        {
            LogBacklogFailed(member, failure.Message);
        }
    }

    /// <summary>A member read the store again: the next failure is logged.</summary>
    public void OnBacklogRead()
    {
        if (Volatile.Read(ref _backlogFailures) != 0)
        {
            Volatile.Write(ref _backlogFailures, 0);
        }
    }

    public void Dispose() => Backlog?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "chat: {Member} could not catch up from the store ({Reason}); trying again")]
    private partial void LogBacklogFailed(string member, string reason);
}
