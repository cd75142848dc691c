using System.Diagnostics;

namespace TcpMsg.Bench.Load;

/// <summary>
/// Follows a peer's output file as it grows: counts its lines and, when asked, hands each complete
/// line to a handler with the moment it was read. Woken by inotify on every write, so appearance
/// times are not rounded to a polling period; a 20 ms poll covers a missed event.
/// </summary>
internal sealed class FileOutputMonitor : OutputMonitor
{
    private const int ChunkSize = 1024 * 1024;

    private readonly string _path;
    private readonly LineHandler? _onLine;
    private byte[] _buffer = new byte[ChunkSize];

    /// <summary>Receives one complete line (without its LF) and the Stopwatch timestamp it was read at.</summary>
    public delegate void LineHandler(ReadOnlySpan<byte> line, long timestamp);

    public FileOutputMonitor(string path, LineHandler? onLine = null)
        : base("output monitor")
    {
        _path = path;
        _onLine = onLine;
    }

    protected override void Run()
    {
        using var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var watch = Native.WatchWrites(_path);
        try
        {
            long offset = 0;
            long lines = 0;
            var carried = 0;
            while (!Stopping)
            {
                if (carried == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var read = RandomAccess.Read(file, _buffer.AsSpan(carried), offset);
                if (read == 0)
                {
                    if (watch >= 0)
                    {
                        Native.WaitAndDrain(watch, 20);
                    }
                    else
                    {
                        Thread.Sleep(1);
                    }

                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                offset += read;
                lines += _onLine is null
                    ? _buffer.AsSpan(0, read).Count((byte)'\n')
                    : HandleLines(carried + read, now, out carried);
                Observe(lines, now);
            }
        }
        finally
        {
            if (watch >= 0)
            {
                Native.Close(watch);
            }
        }
    }

    private int HandleLines(int available, long now, out int carried)
    {
        var data = _buffer.AsSpan(0, available);
        var count = 0;
        int end;
        while ((end = data.IndexOf((byte)'\n')) >= 0)
        {
            _onLine!(data[..end], now);
            data = data[(end + 1)..];
            count++;
        }

        data.CopyTo(_buffer);
        carried = data.Length;
        return count;
    }
}
