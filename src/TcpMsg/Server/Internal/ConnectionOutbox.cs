using System.IO.Pipelines;
using System.Threading.Channels;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Everything the server sends on a confirmed-mode connection goes through here: one writer loop,
/// so frames never interleave, and one flush per wake-up, so many acknowledgements cost one write.
/// Acknowledgements are cumulative, so while the client is slow to read, a newer one replaces the
/// unsent older one: memory stays constant however far behind the client is.
/// </summary>
internal sealed class ConnectionOutbox : IAckTarget
{
    // A client that provokes more rejections than this without reading them is cut off.
    private const int MaxQueuedErrors = 8192;

    private readonly PipeWriter _output;
    private readonly Action<string> _overflow;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Queue<ErrorFrame> _errors = new();
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
                if (WriteQueued() && !await FlushAsync().ConfigureAwait(false))
                {
                    return;
                }
            }

            // Completed: whatever was queued last (an error, GOODBYE) still goes out.
            if (WriteQueued())
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The connection is gone; there is nobody left to tell.
        }
    }

    /// <summary>Encodes the queued frames: WELCOME, then errors, then the latest ACK (so that an
    /// error always arrives before an acknowledgement that covers its sequence), then GOODBYE.</summary>
    private bool WriteQueued()
    {
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
        var result = await _output.FlushAsync().ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
