using System.Diagnostics;

namespace TcpMsg.Bench.Chat;

/// <summary>One member's delivery latencies (Stopwatch ticks), and percentiles over many members.</summary>
internal sealed class Latencies
{
    private readonly long[] _ticks;
    private int _count;

    public Latencies(int capacity) => _ticks = new long[capacity];

    public int Count => Volatile.Read(ref _count);

    /// <summary>Records one delivery; true when <paramref name="expected"/> have arrived.</summary>
    public bool Add(long ticks, int expected)
    {
        if (_count < _ticks.Length)
        {
            _ticks[_count] = ticks;
        }

        return Interlocked.Increment(ref _count) >= expected;
    }

    public static (double P50, double P99, double Max) Percentiles(IEnumerable<Latencies> members)
    {
        var all = members.SelectMany(m => m._ticks.Take(Math.Min(m._count, m._ticks.Length))).ToArray();
        if (all.Length == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        Array.Sort(all);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return (Ms(all[(int)(all.Length * 0.50)]), Ms(all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]), Ms(all[^1]));
    }
}
