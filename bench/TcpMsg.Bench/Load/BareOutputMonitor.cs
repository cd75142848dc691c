using System.Diagnostics;

namespace TcpMsg.Bench.Load;

/// <summary>
/// Follows the bare receiver's counters (it writes no output): reads its mapped counter file every
/// millisecond. The line count is what it has received; a millisecond is the resolution of its times.
/// </summary>
internal sealed class BareOutputMonitor : OutputMonitor
{
    private readonly string _path;

    public BareOutputMonitor(string path)
        : base("bare counters monitor") => _path = path;

    protected override void Run()
    {
        Span<byte> raw = stackalloc byte[BareCounters.Size];
        using var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long last = -1;
        while (!Stopping)
        {
            if (RandomAccess.Read(file, raw, 0) == BareCounters.Size)
            {
                var lines = (long)BareCounters.Parse(raw).Lines;
                if (lines != last)
                {
                    last = lines;
                    Observe(lines, Stopwatch.GetTimestamp());
                }
            }

            Thread.Sleep(1);
        }
    }
}
