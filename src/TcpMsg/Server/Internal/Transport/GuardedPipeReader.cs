using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The connection's input as the protocol handler sees it, with two guards. Rate limits: a read with
/// bytes in it reserves messages from the token buckets and, when they are in debt, is held until the
/// debt is repaid; the handler takes no more messages than were granted, the rest wait unread, and
/// nothing is dropped. The message clock: how long the peer has kept an unfinished message waiting,
/// counted only while the handler is waiting for the peer, never while the server itself is busy or
/// throttling, so a slow server cannot make a client look slow.
/// </summary>
internal sealed class GuardedPipeReader : PipeReader, IMessageRateFeature
{
    private readonly PipeReader _inner;
    private readonly TokenBucket? _connectionBucket;
    private readonly TokenBucket? _addressBucket;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;
    private CancellationTokenSource? _throttleWait;
    private volatile bool _cancelRequested;

    // The message clock. _lastBuffer is the buffer the handler is working on.
    private ReadOnlySequence<byte> _lastBuffer;
    private volatile bool _messagePending;
    private long _peerTicks;
    private long _readStartedAt;

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
    public bool IsThrottling => Volatile.Read(ref _throttleWait) is not null;

    /// <summary>How long the peer has kept the current unfinished message waiting; zero between messages.</summary>
    public TimeSpan UnfinishedMessageTime()
    {
        if (!_messagePending)
        {
            return TimeSpan.Zero;
        }

        var started = Volatile.Read(ref _readStartedAt);
        var waiting = started == 0 ? 0 : _time.GetTimestamp() - started;
        return TimeSpan.FromSeconds((Volatile.Read(ref _peerTicks) + waiting) / (double)_time.TimestampFrequency);
    }

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
            var result = await ReadTimedAsync(cancellationToken).ConfigureAwait(false);

            // Bytes to read: reserve what the handler may take, waiting while the buckets are in debt.
            if (!result.IsCanceled && !result.Buffer.IsEmpty && !await ReserveAsync(cancellationToken).ConfigureAwait(false))
            {
                result = new ReadResult(result.Buffer, isCanceled: true, result.IsCompleted);
            }

            _lastBuffer = result.Buffer;
            return result;
        }
        finally
        {
            _cancelRequested = false;
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_inner.TryRead(out result))
        {
            return false;
        }

        if (!result.Buffer.IsEmpty && Reserve() > TimeSpan.Zero && !_cancelRequested)
        {
            // Only what is readable now: give the reservation back and leave the bytes for a read.
            Settle(0);
            _inner.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
            result = default;
            return false;
        }

        _lastBuffer = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var unconsumed = _lastBuffer.Slice(consumed).Length;
        if (unconsumed == 0)
        {
            _messagePending = false;
        }
        else if (!_messagePending || !consumed.Equals(_lastBuffer.Start))
        {
            // A new unfinished message: its first bytes came with the read that just ended.
            Volatile.Write(ref _peerTicks, 0);
            _messagePending = true;
        }

        _lastBuffer = default;
        _inner.AdvanceTo(consumed, examined);
        ChargeMessages();
    }

    public override void CancelPendingRead()
    {
        _cancelRequested = true;
        try
        {
            Volatile.Read(ref _throttleWait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait has just ended; the inner read below is cancelled instead.
        }

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

    /// <summary>The inner read, timed for the message clock when a message is unfinished.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadTimedAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _readStartedAt, _time.GetTimestamp());
        try
        {
            return await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            var started = Interlocked.Exchange(ref _readStartedAt, 0);
            if (_messagePending)
            {
                Interlocked.Add(ref _peerTicks, _time.GetTimestamp() - started);
            }
        }
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
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _throttleWait, cancel);
        try
        {
            if (_cancelRequested)
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
            Volatile.Write(ref _throttleWait, null);
        }
    }
}
