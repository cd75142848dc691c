using System.Collections.Concurrent;
using System.Text;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// Where a member that fell out of the room's in-memory window catches up: the store, read page
/// by page in id order (SQLite's WAL lets readers go on beside the writer). A few read-only
/// connections are shared by every member catching up, so memory does not grow with the members.
/// </summary>
internal sealed class ChatBacklog : IDisposable
{
    /// <summary>Messages per read: about 64 KiB of short lines, one flush's worth.</summary>
    public const int PageSize = 512;

    // Readers open at once; more members catching up wait for one.
    private const int MaxReaders = 4;

    private readonly string _path;
    private readonly ConcurrentBag<MessageHistory> _idle = [];
    private readonly SemaphoreSlim _readers = new(MaxReaders, MaxReaders);
    private bool _disposed;

    public ChatBacklog(string path) => _path = path;

    /// <summary>Up to <see cref="PageSize"/> stored messages after <paramref name="afterId"/>, in id order.</summary>
    /// <exception cref="StoreException">The store could not be read.</exception>
    public async Task<IReadOnlyList<StoredMessage>> ReadAsync(long afterId, CancellationToken cancellationToken)
    {
        await _readers.WaitAsync(cancellationToken).ConfigureAwait(false);
        MessageHistory? history = null;
        try
        {
            history = _idle.TryTake(out var idle) ? idle : MessageHistory.Open(_path);
            var page = history.ReadForward(HistoryQuery.Default with { AfterId = afterId, Limit = PageSize });
            Return(ref history);
            return page;
        }
        finally
        {
            // A reader that failed is not reused.
            history?.Dispose();
            _readers.Release();
        }
    }

    /// <summary>A stored message as a member gets it.</summary>
    public static ChatEntry Entry(StoredMessage stored) => ChatEntry.Message(
        stored.Id,
        stored.ReceivedAt,
        stored.Sender ?? stored.PeerEndPoint,
        stored.Text,
        Encoding.UTF8.GetByteCount(stored.Text),
        null);

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
