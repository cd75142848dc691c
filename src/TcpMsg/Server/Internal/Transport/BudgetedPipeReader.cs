using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The connection's input held to the server's <see cref="ReadBudget"/>. A pipe pauses its writer
/// by the bytes its reader has not yet examined, so the transport's window
/// (<see cref="ReadBudget.Window"/>) bounds only those; the bytes of an unfinished message, examined
/// and left unconsumed, it lets grow without end. This reader bounds them: messages shorter than
/// <see cref="ReadBudget.SpillThreshold"/> pass straight through; once the handler has examined
/// that much of an unfinished one, the bytes move into a <see cref="SpillBuffer"/> (the transport's
/// buffer is emptied) and the handler reads the spill from then on, every later read of the
/// transport moved there too, until the handler has consumed it all. A spill larger than the
/// threshold needs a slot of the budget; with none free, the next read waits for one without
/// reading the socket (TCP slows the sender), and the time it waits is the server's, not the
/// peer's (<see cref="TakeHeldTicks"/>), as with a rate limit. Nothing is dropped.
/// </summary>
internal sealed partial class BudgetedPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly ReadBudget _budget;
    private readonly TimeProvider _time;
    private readonly SequenceBuilder _builder = new();
    private SpillBuffer? _spill;

    // The handler reads the spill, not the transport (which is kept empty).
    private bool _spilling;

    // This connection holds a slot of the budget.
    private bool _slot;

    // The spill is past the threshold without a slot: the next read waits for one.
    private bool _wantSlot;

    // The handler examined all of the last view: the next read needs the peer's next bytes.
    private bool _examinedAll;

    // The transport's buffer handed out in passthrough and not yet advanced.
    private ReadOnlySequence<byte> _innerBuffer;
    private bool _innerHeld;
    private ReadOnlySequence<byte> _view;

    private ReadPause _hold;

    public BudgetedPipeReader(PipeReader inner, ReadBudget budget, TimeProvider time)
    {
        _inner = inner;
        _budget = budget;
        _time = time;
    }

    /// <summary>True while the read waits for a slot of the budget: the connection is busy, not idle.</summary>
    public bool IsHolding => _hold.IsPaused;

    /// <summary>When the current wait began (a timestamp of the server's clock); meaningful while <see cref="IsHolding"/>.</summary>
    public long HeldSince => _hold.Since;

    /// <summary>Timestamp ticks spent waiting for a slot since the last call.</summary>
    public long TakeHeldTicks() => _hold.TakeTicks();

    // Pooled: every read of every connection passes here; each would otherwise allocate its state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            if (!_spilling)
            {
                var result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
                _innerBuffer = result.Buffer;
                _innerHeld = true;
                return result;
            }

            if (_wantSlot && !await WaitForSlotAsync(cancellationToken).ConfigureAwait(false))
            {
                // Closed by the server while waiting: what is there, marked cancelled.
                return new ReadResult(View(), isCanceled: true, isCompleted: false);
            }

            if (!_examinedAll)
            {
                return new ReadResult(View(), isCanceled: false, isCompleted: false);
            }

            var read = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            return Absorb(read);
        }
        finally
        {
            _hold.ClearCancel();
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_spilling)
        {
            if (!_inner.TryRead(out result))
            {
                return false;
            }

            _innerBuffer = result.Buffer;
            _innerHeld = true;
            return true;
        }

        result = default;
        if (_wantSlot)
        {
            if (!_budget.TryTake())
            {
                return false;
            }

            _slot = true;
            _wantSlot = false;
        }

        if (!_examinedAll)
        {
            result = new ReadResult(View(), isCanceled: false, isCompleted: false);
            return true;
        }

        if (!_inner.TryRead(out var read))
        {
            return false;
        }

        result = Absorb(read);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_spilling)
        {
            AdvanceSpilled(consumed, examined);
            return;
        }

        if (!_innerHeld)
        {
            return;
        }

        var buffer = _innerBuffer;
        _innerHeld = false;
        _innerBuffer = default;

        // Everything looked at and a long unfinished message left: move it out of the transport.
        if (examined.Equals(buffer.End) && !_hold.CancelRequested && buffer.Slice(consumed).Length >= ReadBudget.SpillThreshold)
        {
            _spill ??= new SpillBuffer(_budget);
            _spill.Append(buffer.Slice(consumed));
            _inner.AdvanceTo(buffer.End);
            _spilling = true;
            _examinedAll = true;
            NeedSlot();
            return;
        }

        _inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead()
    {
        _hold.RequestCancel();
        _inner.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null)
    {
        Release();
        _inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return _inner.CompleteAsync(exception);
    }

    /// <summary>Gives back the slot and the spilled bytes, once the connection is over.</summary>
    public void Release()
    {
        _spill?.Clear();
        _spilling = false;
        _wantSlot = false;
        GiveSlot();
    }
}
