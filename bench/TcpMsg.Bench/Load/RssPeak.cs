namespace TcpMsg.Bench.Load;

/// <summary>The largest resident set a process reached while sampled (every 100 ms from <see cref="Start"/> until disposed).</summary>
internal sealed class RssPeak : IDisposable
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly Timer _timer;
    private long _peak = -1;

    public RssPeak(int pid)
    {
        _pid = pid;
        _timer = new Timer(_ => Sample(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The peak in KiB, -1 before the first sample.</summary>
    public long Kib => Interlocked.Read(ref _peak);

    public void Start() => _timer.Change(TimeSpan.Zero, s_period);

    /// <summary>Takes one more sample now and returns the peak.</summary>
    public long Stop()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Sample();
        return Kib;
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var rss = ProcessInfo.RssKib(_pid);
        long peak;
        while (rss > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, rss, peak) != peak)
        {
        }
    }
}
