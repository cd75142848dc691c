namespace TcpMsg.Bench.Load;

/// <summary>
/// Watches a peer's output while a scenario runs and tells when it shows a given number of lines,
/// with the moment it was seen (a Stopwatch timestamp). One thread per monitor.
/// </summary>
internal abstract class OutputMonitor : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _reached = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _lines;
    private long _target = long.MaxValue;
    private long _reachedAt;
    private long _lastObservedAt;

    protected OutputMonitor(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Lines seen so far (for the bare receiver: line feeds counted).</summary>
    public long Lines => Interlocked.Read(ref _lines);

    protected bool Stopping => _stopping;

    public void Start() => _thread.Start();

    /// <summary>Waits until at least <paramref name="target"/> lines were seen; returns when (Stopwatch ticks), or -1 after <paramref name="timeout"/>.</summary>
    public long WaitForLines(long target, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (target == _target && _reachedAt != 0)
            {
                return _reachedAt;
            }

            if (Lines >= target)
            {
                // Already there: the last observation is the earliest moment known to have it.
                return _lastObservedAt;
            }

            _target = target;
            _reachedAt = 0;
            _reached.Reset();
        }

        return _reached.Wait(timeout) ? Interlocked.Read(ref _reachedAt) : -1;
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _reached.Dispose();
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeCore()
    {
    }

    protected abstract void Run();

    /// <summary>Called by the monitor thread with the new total.</summary>
    protected void Observe(long lines, long timestamp)
    {
        lock (_lock)
        {
            Interlocked.Exchange(ref _lines, lines);
            _lastObservedAt = timestamp;
            if (lines >= _target && _reachedAt == 0)
            {
                Interlocked.Exchange(ref _reachedAt, timestamp);
                _reached.Set();
            }
        }
    }
}
