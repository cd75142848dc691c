using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal;

/// <summary>
/// What the server tracks about one open connection, shared by its handler and the
/// <see cref="Transport.DeadlineSweeper"/>: what arrived, and the clocks of its deadlines (idle,
/// handshake, unfinished message), all read from the server's <see cref="TimeProvider"/>. The time
/// the server itself holds a read back (a rate limit, the read budget) is not the peer's.
/// </summary>
internal sealed class ConnectionState
{
    private const int NotAborted = -1;

    // _readStartedAt between reads; _handshakeDeadline when no handshake is awaited.
    private const long NotReading = long.MinValue;
    private const long NoDeadline = long.MaxValue;

    private readonly ConnectionContext _context;
    private readonly TimeProvider _time;
    private readonly Transport.BudgetedPipeReader? _budget;
    private long _lastActivity;
    private long _handshakeDeadline = NoDeadline;

    // The message clock (slow-loris): how long the peer has kept an unfinished message waiting,
    // counting only the time the server spent waiting for the peer in reads, never its own work
    // nor the time a rate limit held a read (IMessageRateFeature.TakeThrottledTicks).
    private long _readStartedAt = NotReading;
    private long _peerTicks;
    private int _messagePending;
    private int _abortReason = NotAborted;
    private CancellationTokenSource? _aborted;

    public ConnectionState(ConnectionContext context, ConnectionInfo info, TimeProvider time)
    {
        _context = context;
        _time = time;
        Info = info;
        _budget = context.Features.Get<Transport.BudgetedPipeReader>();
        _lastActivity = time.GetTimestamp();
    }

    public ConnectionInfo Info { get; }

    /// <summary>Bytes received so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Complete messages received so far.</summary>
    public long MessagesReceived { get; set; }

    /// <summary>The rate limits of this connection, or null without any.</summary>
    public Transport.IMessageRateFeature? Rate { get; set; }

    /// <summary>True while the server holds the connection's reading back (a rate limit, or a read waiting for the read budget): busy, not idle.</summary>
    public bool IsHeld => Rate is { IsThrottling: true } || _budget is { IsHolding: true };

    /// <summary>Messages the handler may take from the current read: all of them without a rate limit.</summary>
    public long Allowance() => Rate?.Allowance() ?? long.MaxValue;

    /// <summary>Bytes received but not yet part of a complete message (or frame).</summary>
    public long Unconsumed { get; set; }

    public ConnectionContext Context => _context;

    /// <summary>The reason the server aborted this connection, or null when it did not.</summary>
    public TcpMsgErrorCode? AbortReason
    {
        get
        {
            var reason = Volatile.Read(ref _abortReason);
            return reason == NotAborted ? null : (TcpMsgErrorCode)reason;
        }
    }

    /// <summary>Fires when the server aborts the connection. Created on first use: most connections never need it.</summary>
    public CancellationToken Aborted
    {
        get
        {
            if (_aborted is null)
            {
                var created = new CancellationTokenSource();
                if (Interlocked.CompareExchange(ref _aborted, created, null) is not null)
                {
                    created.Dispose();
                }
                else if (AbortReason is not null)
                {
                    created.Cancel();
                }
            }

            return _aborted.Token;
        }
    }

    /// <summary>How long nothing has arrived, as of <paramref name="now"/> (a timestamp of the server's clock).</summary>
    public TimeSpan IdleTime(long now) => _time.GetElapsedTime(Volatile.Read(ref _lastActivity), now);

    /// <summary>The connection is busy as of now: the idle clock starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>The session awaits its handshake (a confirmed client's HELLO) for at most <paramref name="timeout"/> from now.</summary>
    public void AwaitHandshake(TimeSpan timeout) =>
        Volatile.Write(ref _handshakeDeadline, _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency));

    /// <summary>The handshake arrived: no handshake deadline any more.</summary>
    public void HandshakeDone() => Volatile.Write(ref _handshakeDeadline, NoDeadline);

    /// <summary>True when a handshake is awaited and its deadline has passed as of <paramref name="now"/>.</summary>
    public bool HandshakeExpired(long now) => now >= Volatile.Read(ref _handshakeDeadline);

    /// <summary>A read for the peer's bytes starts: the message clock runs if a message is unfinished.</summary>
    public void BeginRead() => Volatile.Write(ref _readStartedAt, _time.GetTimestamp());

    /// <summary>
    /// After <c>AdvanceTo</c>: <paramref name="unconsumed"/> bytes of an unfinished message are left.
    /// The clock starts again when a new message began in this read (something was consumed).
    /// </summary>
    public void OnAdvanced(long unconsumed, bool consumedSomething)
    {
        if (unconsumed == 0)
        {
            Volatile.Write(ref _messagePending, 0);
        }
        else if (Volatile.Read(ref _messagePending) == 0 || consumedSomething)
        {
            Volatile.Write(ref _peerTicks, 0);
            Volatile.Write(ref _messagePending, 1);
        }
    }

    /// <summary>How long the peer has kept the current unfinished message waiting, as of <paramref name="now"/>; zero between messages.</summary>
    public TimeSpan UnfinishedMessageTime(long now)
    {
        if (Volatile.Read(ref _messagePending) == 0)
        {
            return TimeSpan.Zero;
        }

        // A read in progress counts up to now, or up to when a rate limit or the read budget began to hold it.
        var started = Volatile.Read(ref _readStartedAt);
        var until = Rate is { IsThrottling: true } rate ? rate.ThrottledSince : now;
        if (_budget is { IsHolding: true } budget && budget.HeldSince is > 0 and var since && since < until)
        {
            until = since;
        }

        var waiting = started == NotReading ? 0 : Math.Max(0, until - started);
        return TimeSpan.FromSeconds((Volatile.Read(ref _peerTicks) + waiting) / (double)_time.TimestampFrequency);
    }

    /// <summary>Counts what a read brought: the buffer minus what was already there.</summary>
    public void OnRead(long bufferLength, ServerStatistics statistics)
    {
        var now = _time.GetTimestamp();
        var started = Interlocked.Exchange(ref _readStartedAt, NotReading);
        var held = (Rate?.TakeThrottledTicks() ?? 0) + (_budget?.TakeHeldTicks() ?? 0);
        if (started != NotReading && Volatile.Read(ref _messagePending) != 0)
        {
            Interlocked.Add(ref _peerTicks, Math.Max(0, now - started - held));
        }

        Volatile.Write(ref _lastActivity, now);
        var fresh = bufferLength - Unconsumed;
        if (fresh > 0)
        {
            BytesReceived += fresh;
            statistics.OnBytes(fresh);
        }

        Unconsumed = bufferLength;
    }

    /// <summary>
    /// Ends the connection from the server's side, once; the first reason given is the one reported.
    /// The read loop is woken and returns, so the connection closes with a FIN after the complete
    /// messages already buffered were delivered. <see cref="Kill"/> is the hard way.
    /// <paramref name="onClosing"/> runs first, before the read loop wakes: what it counts or reports
    /// comes before the connection's own end events.
    /// </summary>
    public bool Close(TcpMsgErrorCode reason, Action? onClosing = null)
    {
        if (Interlocked.CompareExchange(ref _abortReason, (int)reason, NotAborted) != NotAborted)
        {
            return false;
        }

        onClosing?.Invoke();

        _context.Transport.Input.CancelPendingRead();
        Volatile.Read(ref _aborted)?.Cancel();
        return true;
    }

    /// <summary>Aborts the transport at once, for a connection that did not close when asked.</summary>
    public void Kill(string detail) => _context.Abort(new ConnectionAbortedException(detail));
}
