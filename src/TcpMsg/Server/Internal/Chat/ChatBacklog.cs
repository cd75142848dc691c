using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// Where a member that fell out of the room's in-memory window catches up: the store, read page
/// by page in id order (SQLite's WAL lets readers go on beside the writer). Pages are aligned on
/// ids (page k starts after id k * <see cref="PageSize"/>) and the last few are kept, so members
/// catching up together, as after a burst, share one read and one set of lines: the store is read
/// once per page, not once per member. A few read-only connections serve every member.
/// </summary>
internal sealed class ChatBacklog : IDisposable
{
    /// <summary>Messages per read: about 64 KiB of short lines, one flush's worth.</summary>
    public const int PageSize = 512;

    // Readers open at once; more members catching up wait for one.
    private const int MaxReaders = 4;

    // Pages kept for the members behind, so members a little apart still share: at most this many,
    // and at most KeptBytes of entries (the pages' share of the room's memory).
    private const int KeptPages = 64;
    private const long KeptBytes = 8L * 1024 * 1024;

    private readonly StoreOptions _store;
    private readonly ConcurrentBag<MessageHistory> _idle = [];
    private readonly SemaphoreSlim _readers = new(MaxReaders, MaxReaders);
    private readonly Dictionary<long, Task<Page>> _pages = [];
    private readonly Queue<(long Number, Task<Page> Read)> _kept = new();
    private long _reads;
    private bool _disposed;

    public ChatBacklog(StoreOptions store) => _store = store;

    public ChatBacklog(string path)
        : this(StoreOptions.Default with { Path = path })
    {
    }

    /// <summary>Store reads made (pages), for tests and the bench: fewer than members times pages when they share.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// Stored messages after <paramref name="afterId"/>, in id order, from the first on: a shared
    /// page, or a fresh read. Empty when the store has nothing after it.
    /// </summary>
    /// <exception cref="StoreException">The store could not be read.</exception>
    public async Task<ArraySegment<ChatEntry>> ReadAsync(long afterId, CancellationToken cancellationToken)
    {
        var number = afterId / PageSize;
        Task<Page> read;
        lock (_pages)
        {
            if (!_pages.TryGetValue(number, out read!))
            {
                read = Task.Run(() => ReadPageAsync(number * PageSize));
                Keep(number, read);
            }
        }

        var page = await ShareAsync(number, read, cancellationToken).ConfigureAwait(false);
        var after = After(page.Entries, afterId);
        if (after.Count > 0 || page.Entries.Length == PageSize)
        {
            // A page lists every message after its start that existed when it was read, and ids
            // only grow: what it has after afterId comes next, with no gap.
            return after;
        }

        // A short page read before more was stored: read again, and keep the newer one.
        read = Task.Run(() => ReadPageAsync(number * PageSize));
        lock (_pages)
        {
            Keep(number, read);
        }

        return After((await ShareAsync(number, read, cancellationToken).ConfigureAwait(false)).Entries, afterId);
    }

    /// <summary>A stored message as a member gets it.</summary>
    public static ChatEntry Entry(StoredMessage stored, ChatLinePrefix lines, ArrayBufferWriter<byte> scratch)
    {
        var name = stored.Sender ?? stored.PeerEndPoint;
        return ChatEntry.Message(stored.Id, stored.ReceivedAt, name, Encoding.UTF8.GetBytes(stored.Text), lines.For(stored.ReceivedAt, name), scratch, null, stored.ConnectionId);
    }

    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
        }

        while (_idle.TryTake(out var history))
        {
            history.Dispose();
        }
    }

    private static ArraySegment<ChatEntry> After(ChatEntry[] page, long afterId)
    {
        var first = 0;
        while (first < page.Length && page[first].Key <= afterId)
        {
            first++;
        }

        return new ArraySegment<ChatEntry>(page, first, page.Length - first);
    }

    /// <summary>Under the pages' lock: keeps a page, letting go of the oldest past the limits.</summary>
    private void Keep(long number, Task<Page> read)
    {
        _pages[number] = read;
        _kept.Enqueue((number, read));
        while (_kept.Count > KeptPages || (_kept.Count > 1 && KeptCost() > KeptBytes))
        {
            var (oldest, task) = _kept.Dequeue();
            if (_pages.TryGetValue(oldest, out var held) && ReferenceEquals(held, task))
            {
                _pages.Remove(oldest);
            }
        }
    }

    private long KeptCost()
    {
        long cost = 0;
        foreach (var (_, read) in _kept)
        {
            cost += read.IsCompletedSuccessfully ? read.Result.Cost : 0;
        }

        return cost;
    }

    private static long CostOf(ChatEntry[] page)
    {
        long cost = 0;
        foreach (var entry in page)
        {
            cost += entry.Cost;
        }

        return cost;
    }

    /// <summary>Waits for a page others may be waiting for too; one that failed is not kept, so the next member to ask reads again.</summary>
    private async Task<Page> ShareAsync(long number, Task<Page> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (read.IsFaulted)
        {
            lock (_pages)
            {
                if (_pages.TryGetValue(number, out var held) && ReferenceEquals(held, read))
                {
                    _pages.Remove(number);
                }
            }

            throw;
        }
    }

    // Shared by every member that asks for the page: no one member's token cancels it.
    private async Task<Page> ReadPageAsync(long afterId)
    {
        await _readers.WaitAsync().ConfigureAwait(false);
        MessageHistory? history = null;
        try
        {
            history = _idle.TryTake(out var idle) ? idle : MessageHistory.Open(_store);
            var entries = new List<ChatEntry>(PageSize);
            var lines = new ChatLinePrefix();
            var scratch = new ArrayBufferWriter<byte>(256);
            string lastConnection = "", lastName = "";
            history.ReadChatForward(afterId, PageSize, (id, time, connectionId, name, text) =>
            {
                // Runs of one sender share its strings: a page costs its lines, not a name per line.
                connectionId = connectionId == lastConnection ? lastConnection : lastConnection = connectionId;
                name = name == lastName ? lastName : lastName = name;
                entries.Add(ChatEntry.Message(id, time, name, text, lines.For(time, name), scratch, null, connectionId));
            });
            Interlocked.Increment(ref _reads);
            Return(ref history);
            ChatEntry[] page = [.. entries];
            return new Page(page, CostOf(page));
        }
        finally
        {
            // A reader that failed is not reused.
            history?.Dispose();
            _readers.Release();
        }
    }

    /// <summary>A page as read: its entries, in id order, and what they cost.</summary>
    private sealed record Page(ChatEntry[] Entries, long Cost);

    private void Return(ref MessageHistory? history)
    {
        lock (_idle)
        {
            if (_disposed)
            {
                return;
            }

            _idle.Add(history!);
            history = null;
        }
    }
}
