namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// How a member's writer tells that its socket takes no bytes at all: armed when a flush has to
/// wait for the peer, disarmed when it completes. A flush that has not completed after
/// <see cref="ChatOptions.SlowClientTimeout"/> means the peer took nothing for that long (the
/// writer hands over at most about 64 KiB per flush), and the member is removed. A member whose
/// socket drains, however slowly, is never caught by it; an idle room arms nothing. On the
/// server's <see cref="TimeProvider"/>, so tests move the clock.
/// </summary>
internal sealed class ChatStallWatch
{
    private readonly ITimer? _timer;
    private readonly TimeSpan _timeout;

    public ChatStallWatch(TimeProvider time, TimeSpan timeout, Action onStalled)
    {
        _timeout = timeout;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = time.CreateTimer(static s => ((Action)s!)(), onStalled, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Flushes <paramref name="flush"/> to the end; the clock runs while it waits for the peer.</summary>
    public async ValueTask<System.IO.Pipelines.FlushResult> WatchAsync(ValueTask<System.IO.Pipelines.FlushResult> flush)
    {
        if (flush.IsCompleted || _timer is null)
        {
            return await flush.ConfigureAwait(false);
        }

        _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        try
        {
            return await flush.ConfigureAwait(false);
        }
        finally
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The writer is done: the timer goes.</summary>
    public void Stop() => _timer?.Dispose();
}
