using System.Buffers;
using System.IO.Pipelines;

namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// The connection's input as the protocol handler sees it, with two guards: rate limits pause reading
/// while a token bucket is in debt (bytes wait in the socket; nothing is dropped), and a clock measures
/// how long the peer has kept an unfinished message waiting. The clock runs only while the handler is
/// waiting for the peer, never while the server itself is busy or throttling, so a slow server cannot
/// make a client look slow.
/// </summary>
internal sealed class GuardedPipeReader : PipeReader, IMessageRateFeature
{
    private readonly PipeReader _inner;
    private readonly TokenBucket? _connectionBucket;
    private readonly TokenBucket? _addressBucket;
    private readonly TimeProvider _time;
    private readonly ServerStatistics _statistics;
    private readonly CancellationToken _connectionClosed;
    private CancellationTokenSource? _throttleWait;
    private volatile bool _cancelRequested;

    // The message clock. _lastBuffer is the buffer the handler is working on.
    private ReadOnlySequence<byte> _lastBuffer;
    private volatile bool _messagePending;
    private long _peerTicks;
    private long _readStartedAt;

    // Where the handler counts delivered messages, and how many were already charged.
    private Func<long>? _messagesReceived;
    private long _messagesCharged;

    public GuardedPipeReader(
        PipeReader inner,
        TokenBucket? connectionBucket,
        TokenBucket? addressBucket,
        TimeProvider time,
        ServerStatistics statistics,
        CancellationToken connectionClosed)
    {
        _inner = inner;
        _connectionBucket = connectionBucket;
        _addressBucket = addressBucket;
        _time = time;
        _statistics = statistics;
        _connectionClosed = connectionClosed;
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

    public long Allowance()
    {
        var connection = _connectionBucket?.Available() ?? long.MaxValue;
        var address = _addressBucket?.Available() ?? long.MaxValue;
        return Math.Max(1, Math.Min(connection, address));
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await ThrottleAsync(cancellationToken).ConfigureAwait(false);
            var result = await ReadTimedAsync(cancellationToken).ConfigureAwait(false);

            // A read that was already waiting when the address went into debt (another connection of the
            // same address spent it) is held here, its bytes unread by the handler, until the debt is repaid.
            if (!result.IsCanceled && !result.Buffer.IsEmpty && !await ThrottleAsync(cancellationToken).ConfigureAwait(false))
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
        if (!_cancelRequested && Wait() > TimeSpan.Zero)
        {
            result = default;
            return false;
        }

        if (!_inner.TryRead(out result))
        {
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

    /// <summary>Charges the messages delivered since the last read to the buckets.</summary>
    private void ChargeMessages()
    {
        if (_messagesReceived is null)
        {
            return;
        }

        var total = _messagesReceived();
        var fresh = total - _messagesCharged;
        _messagesCharged = total;
        if (fresh > 0)
        {
            _connectionBucket?.Take(fresh);
            _addressBucket?.Take(fresh);
        }
    }

    private TimeSpan Wait()
    {
        var connection = _connectionBucket?.Wait() ?? TimeSpan.Zero;
        var address = _addressBucket?.Wait() ?? TimeSpan.Zero;
        return connection > address ? connection : address;
    }

    /// <summary>The inner read, timed for the message clock when a message is unfinished.</summary>
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
    /// Waits while a bucket is in debt; false when the wait was cut short by CancelPendingRead (the
    /// server closing the connection) or by a reset. A peer that merely finished sending (FIN) still
    /// waits its turn: sending and closing at once must not be a way around the rate.
    /// </summary>
    private async ValueTask<bool> ThrottleAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        var watchClose = true;
        while ((wait = Wait()) > TimeSpan.Zero)
        {
            if (_cancelRequested)
            {
                return false;
            }

            _statistics.OnThrottled();
            using var cancel = watchClose
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connectionClosed)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Volatile.Write(ref _throttleWait, cancel);
            try
            {
                if (_cancelRequested)
                {
                    return false;
                }

                await Task.Delay(wait, _time, cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (_cancelRequested || IsReset())
                {
                    return false; // The inner read reports what happened.
                }

                watchClose = false;
            }
            finally
            {
                Volatile.Write(ref _throttleWait, null);
            }
        }

        return true;
    }

    /// <summary>After the connection ended: true when it was a reset (nothing left to wait for), false for a FIN.</summary>
    private bool IsReset()
    {
        try
        {
            if (_inner.TryRead(out var result))
            {
                // Nothing taken, nothing examined: the next read returns the same bytes.
                _inner.AdvanceTo(result.Buffer.Start, result.Buffer.Start);
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            return true;
        }
    }
}
