using System.Diagnostics;

namespace TcpMsg.Bench.Load;

/// <summary>A point in time every load loop checks, so that no loop runs unbounded.</summary>
internal readonly record struct Deadline(long Ticks)
{
    public static Deadline After(TimeSpan span) =>
        new(Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency));

    public bool Passed => Stopwatch.GetTimestamp() > Ticks;

    public TimeSpan Remaining => TimeSpan.FromSeconds(Math.Max(0, Ticks - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);

    /// <summary>The remaining time in milliseconds, at least 1, for socket timeouts.</summary>
    public int RemainingMilliseconds => (int)Math.Clamp(Remaining.TotalMilliseconds, 1, int.MaxValue);
}
