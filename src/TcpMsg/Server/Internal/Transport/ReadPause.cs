namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// A read the server holds back (a rate limit's debt in <see cref="GuardedPipeReader"/>, a slot of
/// the read budget in <see cref="BudgetedPipeReader"/>): whether one is under way and since when,
/// the time held so far, and CancelPendingRead cutting its wait short. The time held is the
/// server's, not the peer's (<see cref="ConnectionState"/> leaves it out of the peer's clocks). A
/// mutable struct kept as a field of its reader, so a connection pays no object for it.
/// </summary>
internal struct ReadPause
{
    private CancellationTokenSource? _wait;
    private volatile bool _cancelRequested;

    // When the current pause began (a TimeProvider timestamp, while paused), and the ticks held since last taken.
    private long _since;
    private long _ticks;

    /// <summary>True while a read is held.</summary>
    public bool IsPaused => Volatile.Read(ref _wait) is not null;

    /// <summary>When the current pause began; meaningful while <see cref="IsPaused"/>.</summary>
    public long Since => Volatile.Read(ref _since);

    /// <summary>True once CancelPendingRead was called during the current read.</summary>
    public readonly bool CancelRequested => _cancelRequested;

    /// <summary>Timestamp ticks held since the last call.</summary>
    public long TakeTicks() => Interlocked.Exchange(ref _ticks, 0);

    /// <summary>A pause begins at <paramref name="now"/>: its wait ends with the read's token or with <see cref="RequestCancel"/>.</summary>
    public CancellationTokenSource Begin(long now, CancellationToken readToken)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(readToken);
        Volatile.Write(ref _since, now);
        Volatile.Write(ref _wait, cancel);
        return cancel;
    }

    /// <summary>The pause that began at <paramref name="began"/> ends at <paramref name="now"/>.</summary>
    public void End(long began, long now)
    {
        Volatile.Write(ref _wait, null);
        Interlocked.Add(ref _ticks, now - began);
        Volatile.Write(ref _since, 0);
    }

    /// <summary>CancelPendingRead: the current pause's wait ends now; a pause about to begin sees <see cref="CancelRequested"/>.</summary>
    public void RequestCancel()
    {
        _cancelRequested = true;
        try
        {
            Volatile.Read(ref _wait)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait has just ended; the caller cancels the inner read instead.
        }
    }

    /// <summary>The read is over: a later CancelPendingRead is for a later read.</summary>
    public void ClearCancel() => _cancelRequested = false;
}
