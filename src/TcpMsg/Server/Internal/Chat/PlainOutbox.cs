using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The one writer of a plain-mode chat member's connection: lines of the room, in order, one flush
/// per batch of about 64 KiB, so a member that does not read holds up nothing but its own writer
/// (and the room notices it falling behind). Once evicted it writes one last line if it can.
/// </summary>
internal sealed class PlainOutbox : IChatWriter
{
    private readonly PipeWriter _output;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly List<ChatItem> _items = [];
    private readonly Lock _lock = new();
    private ChatMember? _member;
    private byte[]? _farewell;
    private Task _writer = Task.CompletedTask;

    public PlainOutbox(PipeWriter output) => _output = output;

    public void Start(ChatMember member)
    {
        _member = member;
        _writer = RunAsync();
    }

    public void Wake() => _wake.Writer.TryWrite(true);

    public void Evict(string reason)
    {
        lock (_lock)
        {
            _farewell ??= ChatLines.Notice(reason);
        }

        // A writer stuck on a full socket gives up its flush and writes the farewell instead.
        _output.CancelPendingFlush();
        Wake();
    }

    /// <summary>Writes what is waiting now (for up to <see cref="ChatWriting.FinalFlushTimeout"/>), then stops.</summary>
    public async Task CompleteAsync()
    {
        _wake.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                if (!await WriteWaitingAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    break;
                }
            }

            using var limit = new CancellationTokenSource(ChatWriting.FinalFlushTimeout);
            if (Farewell() is { } farewell)
            {
                _output.Write(farewell);
                await _output.FlushAsync(limit.Token).ConfigureAwait(false);
                return;
            }

            await WriteWaitingAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The connection is gone, or the member stopped reading: nobody left to tell.
        }
    }

    /// <summary>Writes batches until nothing is waiting; false when the flush was cancelled (evicted) or the peer is gone.</summary>
    private async Task<bool> WriteWaitingAsync(CancellationToken cancellationToken)
    {
        bool more;
        do
        {
            _items.Clear();
            more = _member!.Take(_items, ChatWriting.Budget);
            if (_items.Count == 0)
            {
                return Farewell() is null;
            }

            foreach (var item in _items)
            {
                _output.Write(item.Entry.Line());
            }

            var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                return false;
            }
        }
        while (more);

        return Farewell() is null;
    }

    private byte[]? Farewell()
    {
        lock (_lock)
        {
            return _farewell;
        }
    }
}
