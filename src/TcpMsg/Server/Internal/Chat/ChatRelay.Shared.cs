using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The room on a store that several servers share (PostgreSQL): its messages come from the store,
/// every server's, in id order (<see cref="SharedStoreFollower"/>), so a member on any server reads
/// one order and a line posted on another server reaches it. This server's batches then add only
/// the room's own notices (joins, renames, leaves): their messages arrive through the store like
/// everyone else's. A member is not sent its own messages: it is recognised by its connection's id,
/// which the store keeps with each message (Kestrel's ids carry the process's start time, so two
/// servers do not give out the same one).
/// </summary>
internal sealed partial class ChatRelay
{
    // Only the follower's thread (OnStoredAsync) uses these.
    private readonly ChatLinePrefix _storedPrefix = new();
    private readonly System.Buffers.ArrayBufferWriter<byte> _storedScratch = new(256);
    private readonly List<ChatEntry> _storedEntries = [];

    /// <summary>True when the messages come from the shared store rather than this server's batches.</summary>
    private bool Shared { get; set; }

    /// <summary>From now on the room's messages come from <see cref="OnStoredAsync"/>, after the history the store has now.</summary>
    public void StartShared()
    {
        lock (_log.Lock)
        {
            Shared = true;
            Seed(null);
        }
    }

    /// <summary>Messages the store committed (by any server), in id order, after those given before.</summary>
    public ValueTask OnStoredAsync(IReadOnlyList<StoredMessage> page, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The lines are made before the log's lock is taken: the members' writers take it meanwhile.
        _storedEntries.Clear();
        foreach (var stored in page)
        {
            _storedEntries.Add(ChatBacklog.Entry(stored, _storedPrefix, _storedScratch));
        }

        lock (_log.Lock)
        {
            foreach (var entry in _storedEntries)
            {
                // With a store there is always room: what a member had not read yet it reads from the store.
                MakeRoom(entry.Cost);
                Apply(entry);
            }

            _statistics.OnChatQueueBytes(_log.Bytes);
            Trim();
            foreach (var member in _members.Values)
            {
                member.Writer.Wake();
            }
        }

        return ValueTask.CompletedTask;
    }
}
