using System.Buffers;
using System.IO.Pipelines;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>The spilled part: the view of the spill, advancing it, the slot and the wait for one.</summary>
internal sealed partial class BudgetedPipeReader
{
    /// <summary>The spill as one sequence.</summary>
    private ReadOnlySequence<byte> View()
    {
        _builder.Reset();
        _spill!.AddTo(_builder);
        _view = _builder.Build();
        return _view;
    }

    /// <summary>Moves a read of the transport into the spill (no further than a slot's room) and returns the spill.</summary>
    private ReadResult Absorb(ReadResult read)
    {
        var buffer = read.Buffer;
        var room = Math.Max(0, _budget.SlotBytes - _spill!.Length);
        var taken = buffer.Length <= room ? buffer : buffer.Slice(0, room);
        _spill.Append(taken);
        _inner.AdvanceTo(taken.End, buffer.End);
        return new ReadResult(View(), read.IsCanceled, read.IsCompleted && taken.Length == buffer.Length);
    }

    private void AdvanceSpilled(SequencePosition consumed, SequencePosition examined)
    {
        var view = _view;
        var consumedAt = view.GetOffset(consumed) - view.GetOffset(view.Start);
        var examinedAt = view.GetOffset(examined) - view.GetOffset(view.Start);
        _spill!.Consume(consumedAt);
        _examinedAll = examinedAt >= view.Length;
        _view = default;
        if (_spill.Length == 0)
        {
            // The long message is framed and nothing of the next was read with it: back to the transport.
            _spilling = false;
            _wantSlot = false;
            GiveSlot();
            return;
        }

        NeedSlot();
    }

    /// <summary>A spill past the threshold holds a slot (taken now, or waited for by the next read); a smaller one gives it back.</summary>
    private void NeedSlot()
    {
        if (_spill!.Length < ReadBudget.SpillThreshold)
        {
            _wantSlot = false;
            GiveSlot();
        }
        else if (!_slot)
        {
            _slot = _budget.TryTake();
            _wantSlot = !_slot;
        }
    }

    private void GiveSlot()
    {
        if (_slot)
        {
            _slot = false;
            _budget.Give();
        }
    }

    /// <summary>Waits for a slot; false when the wait was cut short by <see cref="CancelPendingRead"/>.</summary>
    private async ValueTask<bool> WaitForSlotAsync(CancellationToken cancellationToken)
    {
        if (_budget.TryTake())
        {
            _slot = true;
            _wantSlot = false;
            return true;
        }

        var since = _time.GetTimestamp();
        using var cancel = _hold.Begin(since, cancellationToken);
        try
        {
            if (_hold.CancelRequested)
            {
                return false;
            }

            await _budget.TakeAsync(cancel.Token).ConfigureAwait(false);
            _slot = true;
            _wantSlot = false;
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _hold.End(since, _time.GetTimestamp());
        }
    }
}
