using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The connection's input as the protocol handler sees it, held to the rate limits: a read with bytes
/// in it reserves messages from the token buckets of the connection's <see cref="AdmissionLease"/>
/// and, when they are in debt, is held until the debt is repaid; the handler takes no more messages
/// than were granted, the rest wait unread, and nothing is dropped. The time a read is held is the
/// server's, not the peer's: it says how long (<see cref="TakeThrottledTicks"/>), so the connection's
/// message clock (<see cref="ConnectionState"/>) leaves it out.
/// </summary>
internal sealed class GuardedPipeReader : PipeReader, IMessageRateFeature
{
    private readonly PipeReader _inner;
    private readonly TokenBucket? _connectionBucket;
    private readonly TokenBucket? _addressBucket;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;
    private ReadPause _throttle;

    // What the current read was granted by each bucket (0: nothing reserved).
    private long _connectionGranted;
    private long _addressGranted;

    // Where the handler counts delivered messages, and how many were already charged.
    private Func<long>? _messagesReceived;
    private long _messagesCharged;

    public GuardedPipeReader(
        PipeReader inner,
        TokenBucket? connectionBucket,
        TokenBucket? addressBucket,
        TimeProvider time,
        ServerStatistics statistics)
    {
        _inner = inner;
        _connectionBucket = connectionBucket;
        _addressBucket = addressBucket;
        _time = time;
        _statistics = statistics;
    }

    /// <summary>True while reading is paused by a rate limit: the connection is busy, not idle.</summary>
    public bool IsThrottling => _throttle.IsPaused;

    public long ThrottledSince => _throttle.Since;

    public long TakeThrottledTicks() => _throttle.TakeTicks();

    public void CountMessages(Func<long> messagesReceived) => _messagesReceived = messagesReceived;

    public long Allowance() => Math.Max(
        1,
        Math.Min(_connectionBucket is null ? long.MaxValue : _connectionGranted, _addressBucket is null ? long.MaxValue : _addressGranted));

    // Pooled: a throttled or dribbling connection reads often; each read would otherwise allocate its state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);

            // Bytes to read: reserve what the handler may take, waiting while the buckets are in debt.
            if (!result.IsCanceled && !result.Buffer.IsEmpty && !await ReserveAsync(cancellationToken).ConfigureAwait(false))
            {
                result = new ReadResult(result.Buffer, isCanceled: true, result.IsCompleted);
            }

            return result;
        }
        finally
        {
            _throttle.ClearCancel();
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_inner.TryRead(out result))
        {
            return false;
        }

        if (!result.Buffer.IsEmpty && Reserve() > TimeSpan.Zero && !_throttle.CancelRequested)
        {
            // Only what is readable now: give the reservation back and leave the bytes for a read.
            Settle(0);
            _inner.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
            result = default;
            return false;
        }

        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _inner.AdvanceTo(consumed, examined);
        ChargeMessages();
    }

    public override void CancelPendingRead()
    {
        _throttle.RequestCancel();
        _inner.CancelPendingRead();
    }

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

    /// <summary>Settles the read's reservation with the messages the handler took from it.</summary>
    private void ChargeMessages()
    {
        var fresh = 0L;
        if (_messagesReceived is not null)
        {
            var total = _messagesReceived();
            fresh = total - _messagesCharged;
            _messagesCharged = total;
        }

        Settle(fresh);
    }

    /// <summary>Reserves for one read in both buckets; returns the longer of their waits.</summary>
    private TimeSpan Reserve()
    {
        var wait = TimeSpan.Zero;
        if (_connectionBucket is not null)
        {
            (var granted, wait) = _connectionBucket.Reserve();
            _connectionGranted += granted;
        }

        if (_addressBucket is not null)
        {
            var (granted, addressWait) = _addressBucket.Reserve();
            _addressGranted += granted;
            wait = addressWait > wait ? addressWait : wait;
        }

        return wait;
    }

    /// <summary>Returns what the read was granted and did not use (or charges what it used beyond).</summary>
    private void Settle(long used)
    {
        _connectionBucket?.Settle(_connectionGranted, used);
        _addressBucket?.Settle(_addressGranted, used);
        _connectionGranted = 0;
        _addressGranted = 0;
    }

    /// <summary>
    /// Reserves for the read and waits until the buckets' debt is repaid; false when the wait was cut
    /// short by CancelPendingRead (the server closing the connection). A peer that finished sending
    /// (FIN) or went away still waits its turn: sending and closing at once must not be a way around
    /// the rate, and the wait is at most the debt queued ahead of it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReserveAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }

        _statistics.OnThrottled();
        var since = _time.GetTimestamp();
        using var cancel = _throttle.Begin(since, cancellationToken);
        try
        {
            if (_throttle.CancelRequested)
            {
                return false;
            }

            await Task.Delay(wait, _time, cancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _throttle.End(since, _time.GetTimestamp());
        }
    }
}
