using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The one writer of a plain-mode chat member's connection: lines of the room, in order, one flush
/// per batch of about 64 KiB, so a member that does not read holds up nothing but its own writer.
/// A member that fell behind the room's log has its next page read from the store here, at the
/// pace its socket takes it. A flush the peer takes nothing of for the slow-client timeout
/// removes the member; once removed it writes one last line if it can.
/// </summary>
internal sealed class PlainOutbox : IChatWriter
{
    private static readonly TimeSpan s_backlogRetry = TimeSpan.FromMilliseconds(200);

    private readonly PipeWriter _output;
    private readonly ConnectionState _state;
    private readonly ChatRoom _room;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly List<ChatItem> _items = [];
    private readonly Lock _lock = new();
    private ChatMember? _member;
    private ChatStallWatch? _stall;
    private byte[]? _farewell;
    private Task _writer = Task.CompletedTask;

    public PlainOutbox(PipeWriter output, ConnectionState state, ChatRoom room)
    {
        _output = output;
        _state = state;
        _room = room;
    }

    public void Start(ChatMember member)
    {
        _member = member;
        _stall = new ChatStallWatch(_room.Time, _room.Options.SlowClientTimeout, () => member.Evict(ChatWriting.Stalled(_room.Options.SlowClientTimeout)));
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
        _stall?.Stop();
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                if (!await WriteWaitingAsync(final: false).ConfigureAwait(false))
                {
                    break;
                }
            }

            if (Farewell() is { } farewell)
            {
                using var limit = new CancellationTokenSource(ChatWriting.FinalFlushTimeout);
                _output.Write(farewell);
                await _output.FlushAsync(limit.Token).ConfigureAwait(false);
                return;
            }

            await WriteWaitingAsync(final: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The connection is gone, or the member stopped reading: nobody left to tell.
        }
    }

    /// <summary>Writes batches until nothing is waiting; false when the flush was cancelled (evicted) or the peer is gone.</summary>
    private async Task<bool> WriteWaitingAsync(bool final)
    {
        using var limit = final ? new CancellationTokenSource(ChatWriting.FinalFlushTimeout) : null;
        var member = _member!;
        bool more;
        do
        {
            while (!final && member.WantsBacklog())
            {
                if (!await member.ReadBacklogAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    await Task.Delay(s_backlogRetry, _room.Time).ConfigureAwait(false);
                }
            }

            _items.Clear();
            more = member.Take(_items, ChatWriting.Budget);
            if (_items.Count == 0)
            {
                // Behind, with the next page still to read from the store.
                if (more && !final)
                {
                    continue;
                }

                return Farewell() is null;
            }

            foreach (var item in _items)
            {
                _output.Write(item.Entry.Line());
            }

            var result = await _stall!.WatchAsync(_output.FlushAsync(limit?.Token ?? default)).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
            {
                return false;
            }

            // Taking bytes is activity: a member that reads is not idle.
            _state.Touch();
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
