using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Everything the server sends on a confirmed-mode connection goes through here: one writer loop,
/// so frames never interleave, and one flush per wake-up, so many acknowledgements cost one write.
/// Acknowledgements are cumulative, so while the client is slow to read, a newer one replaces the
/// unsent older one: memory stays constant however far behind the client is. For a chat member it
/// also writes what the room sends (about 64 KiB per flush), so the room never writes to the socket.
/// </summary>
internal sealed class ConnectionOutbox : IAckTarget, IChatWriter
{
    // A client that provokes more rejections than this without reading them is cut off.
    private const int MaxQueuedErrors = 8192;

    private readonly PipeWriter _output;
    private readonly Action<string> _overflow;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Queue<ErrorFrame> _errors = new();
    private readonly List<ChatItem> _chatItems = [];
    private static readonly TimeSpan s_backlogRetry = TimeSpan.FromMilliseconds(200);

    private ChatMember? _chat;
    private ChatStallWatch? _stall;
    private bool _evicted;
    private WelcomeFrame? _welcome;
    private AckFrame? _ack;
    private long _ackedSequence;
    private long _settled;
    private bool _goodbye;
    private bool _completed;
    private TaskCompletionSource _settledChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _writer = Task.CompletedTask;

    public ConnectionOutbox(PipeWriter output, Action<string> overflow)
    {
        _output = output;
        _overflow = overflow;
    }

    /// <summary>The highest sequence acknowledged or rejected so far.</summary>
    public long Settled
    {
        get
        {
            lock (_lock)
            {
                return _settled;
            }
        }
    }

    public void Start() => _writer = RunAsync();

    /// <summary>The connection joined the chat room: from now on the room's frames go out here too.</summary>
    public void AttachChat(ChatMember member)
    {
        var room = member.Room;
        lock (_lock)
        {
            _chat = member;
            _stall = new ChatStallWatch(room.Time, room.Options.SlowClientTimeout, () => member.Evict(ChatWriting.Stalled(room.Options.SlowClientTimeout)));
        }

        Wake();
    }

    /// <inheritdoc cref="IChatWriter.Wake"/>
    void IChatWriter.Wake() => Wake();

    /// <summary>The chat member is too slow: ERROR TOO_SLOW goes out if the socket has room, then nothing more.</summary>
    public void Evict(string reason)
    {
        lock (_lock)
        {
            if (_completed || _evicted)
            {
                return;
            }

            _evicted = true;
            _errors.Enqueue(new ErrorFrame(0, ProtocolErrorCode.TooSlow, reason));
        }

        // A writer stuck on a full socket gives up its flush and writes the error instead.
        _output.CancelPendingFlush();
        Wake();
    }

    public void Welcome(WelcomeFrame welcome)
    {
        lock (_lock)
        {
            _welcome = welcome;
        }

        Wake();
    }

    public void Acknowledge(long sequence, long id)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            if (sequence > _ackedSequence)
            {
                _ack = new AckFrame(sequence, id);
                _ackedSequence = sequence;
            }

            Settle(sequence);
        }

        Wake();
    }

    /// <summary>A published message was not stored (the dispatcher's verdict): it counts as settled.</summary>
    public void Reject(long sequence, ProtocolErrorCode code, string reason) => Enqueue(new ErrorFrame(sequence, code, reason), settles: true);

    /// <summary>The session refuses a message it never published, or the whole connection (sequence 0).</summary>
    public void Refuse(long sequence, ProtocolErrorCode code, string reason) => Enqueue(new ErrorFrame(sequence, code, reason), settles: false);

    private void Enqueue(ErrorFrame error, bool settles)
    {
        var overflow = false;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            if (_errors.Count >= MaxQueuedErrors)
            {
                overflow = true;
            }
            else
            {
                _errors.Enqueue(error);
                if (settles)
                {
                    Settle(error.Sequence);
                }
            }
        }

        if (overflow)
        {
            _overflow($"more than {MaxQueuedErrors} errors unread by the client");
            return;
        }

        Wake();
    }

    public void Goodbye()
    {
        lock (_lock)
        {
            _goodbye = true;
        }

        Wake();
    }

    /// <summary>Waits until every message up to <paramref name="sequence"/> is acknowledged or rejected.</summary>
    public async Task WaitSettledAsync(long sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_settled >= sequence)
                {
                    return;
                }

                changed = _settledChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is still queued, then stops; later acknowledgements are dropped.</summary>
    public async Task CompleteAsync()
    {
        _wake.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        lock (_lock)
        {
            _completed = true;
            _stall?.Stop();
        }
    }

    private void Settle(long sequence)
    {
        if (sequence > _settled)
        {
            _settled = sequence;
            _settledChanged.TrySetResult();
            _settledChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                bool more;
                do
                {
                    await ReadBacklogAsync().ConfigureAwait(false);
                    if (WriteQueued(out more) && !await FlushAsync().ConfigureAwait(false))
                    {
                        await LastWordsAsync().ConfigureAwait(false);
                        return;
                    }
                }
                while (more);
            }

            // Completed: whatever was queued last (an error, GOODBYE) still goes out.
            await LastWordsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The connection is gone; there is nobody left to tell.
        }
    }

    /// <summary>
    /// The last frames of a closing (or evicted) connection. A chat member may have stopped reading,
    /// so then the flush gets a deadline; without chat the last frames are small and always fit.
    /// </summary>
    private async Task LastWordsAsync()
    {
        if (!WriteQueued(out _))
        {
            return;
        }

        bool chat;
        lock (_lock)
        {
            chat = _chat is not null;
        }

        using var limit = new CancellationTokenSource(chat ? ChatWriting.FinalFlushTimeout : Timeout.InfiniteTimeSpan);
        await _output.FlushAsync(limit.Token).ConfigureAwait(false);
    }

    /// <summary>Encodes the queued frames: WELCOME, then errors, then what the chat room has for this
    /// member (up to a budget; <paramref name="more"/> says whether more is waiting), then the latest
    /// ACK (so that an error always arrives before an acknowledgement that covers its sequence), then GOODBYE.</summary>
    private bool WriteQueued(out bool more)
    {
        more = false;
        lock (_lock)
        {
            var wrote = false;
            if (_welcome is { } welcome)
            {
                welcome.Write(_output);
                _welcome = null;
                wrote = true;
            }

            while (_errors.TryDequeue(out var error))
            {
                error.Write(_output);
                wrote = true;
            }

            if (_chat is { } chat && !_evicted)
            {
                _chatItems.Clear();
                more = chat.Take(_chatItems, ChatWriting.Budget);
                foreach (var item in _chatItems)
                {
                    _output.Write(item.Entry.Frame(item.History));
                    wrote = true;
                }
            }

            if (_ack is { } ack)
            {
                ack.Write(_output);
                _ack = null;
                wrote = true;
            }

            if (_goodbye)
            {
                GoodbyeFrame.Write(_output);
                _goodbye = false;
                wrote = true;
            }

            return wrote;
        }
    }

    private async Task<bool> FlushAsync()
    {
        ChatStallWatch? stall;
        lock (_lock)
        {
            stall = _evicted ? null : _stall;
        }

        var flush = _output.FlushAsync();
        var result = stall is null ? await flush.ConfigureAwait(false) : await stall.WatchAsync(flush).ConfigureAwait(false);
        if (stall is not null)
        {
            // Taking bytes is activity: a chat member that reads is not idle.
            _chat!.State.Touch();
        }

        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>A chat member behind the room's log: its next page from the store, read outside the lock.</summary>
    private async Task ReadBacklogAsync()
    {
        ChatMember? chat;
        lock (_lock)
        {
            chat = _evicted ? null : _chat;
        }

        while (chat is not null && chat.WantsBacklog())
        {
            if (!await chat.ReadBacklogAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await Task.Delay(s_backlogRetry, chat.Room.Time).ConfigureAwait(false);
            }
        }
    }
}
