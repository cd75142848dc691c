using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Bench.Store;

/// <summary>
/// <c>TcpMsg.Bench store [--dir DIR] [--messages N] [--size-messages N] [--tcpmsg PATH]</c>: the store
/// on its own, in process, on real files. (1) Bytes per stored 100-byte message, database plus WAL
/// after a checkpoint, and the writer's CPU per message. (2) history over a store of N messages
/// (10 million by default), built once in DIR and reused by later runs: the newest 100, a rare word,
/// the last hour; timed through the library (MessageHistory, what `tcpmsg history` calls) and, with
/// --tcpmsg, as the real `tcpmsg history` process (its start included).
/// </summary>
internal static class StoreBench
{
    private const int TextBytes = 100;
    private const int BatchSize = 4096;
    private const string RareWord = "quokka-zebra";

    // The big store spans ten days: a message every 86.4 ms at 10 million.
    private static readonly DateTimeOffset s_start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_span = TimeSpan.FromDays(10);

    public static int Run(string[] args)
    {
        var dir = Value(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "tcpmsg-bench-store");
        var messages = long.Parse(Value(args, "--messages") ?? "10000000", CultureInfo.InvariantCulture);
        var sizeMessages = int.Parse(Value(args, "--size-messages") ?? "500000", CultureInfo.InvariantCulture);
        var tcpmsg = Value(args, "--tcpmsg");
        Directory.CreateDirectory(dir);
        Console.WriteLine($"# store bench ({DateTimeOffset.UtcNow:u}; load average {File.ReadAllText("/proc/loadavg").Trim()})");
        Size(dir, sizeMessages);
        History(dir, messages, tcpmsg);
        return 0;
    }

    private static void Size(string dir, int count)
    {
        var path = Path.Combine(dir, "size.db");
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        // 16 connections, batches of 256 lines each, as the server's socket reads make them.
        var connections = Enumerable.Range(0, 16).Select(i => new ConnectionInfo($"c{i}", new IPEndPoint(IPAddress.Loopback, 40000 + i), new IPEndPoint(IPAddress.Loopback, 2023), s_start)).ToArray();
        using var store = new SqliteMessageStore(StoreOptions.Default with { Path = path, Durability = Durability.Process });
        store.Open();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var pending = new List<PendingMessage>(BatchSize);
        var batches = new List<MessageBatch>();
        for (var i = 0; i < count; i++)
        {
            if (i % 256 == 0)
            {
                var batch = new MessageBatch();
                batch.Reset(connections[(i / 256) % 16], s_start.AddMilliseconds(i), MessageFraming.Line, null, null, null);
                batches.Add(batch);
            }

            var current = batches[^1];
            current.Add(Text(i), null);
            pending.Add(new PendingMessage(current, current.Count - 1));
            if (pending.Count == BatchSize || i == count - 1)
            {
                store.Append(pending);
                pending.Clear();
                batches.Clear();
            }
        }

        var elapsed = clock.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        store.Dispose();
        Checkpoint(path);
        var bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        Console.WriteLine();
        Console.WriteLine("| store: size and ingest | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| messages of {TextBytes} bytes, 16 connections, batches of {BatchSize} | {count:N0} |");
        Console.WriteLine($"| bytes per message (db + WAL after a checkpoint) | {(double)bytes / count:F1} |");
        Console.WriteLine($"| writer: messages/s (in process, durability process) | {count / elapsed.TotalSeconds:N0} |");
        Console.WriteLine($"| writer: CPU µs per message (the whole process: writer and checkpointer) | {cpuUsed.TotalMicroseconds / count:F2} |");
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        using (var indexer = new SearchIndexer($"Data Source={path};Pooling=False", TimeSpan.FromSeconds(5), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, start: false))
        {
            while (indexer.RunOnce() > 0)
            {
            }
        }

        cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Checkpoint(path);
        var indexed = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        Console.WriteLine($"| with --search-index: bytes per message | {(double)indexed / count:F1} |");
        Console.WriteLine($"| with --search-index: indexer CPU µs per message | {cpuUsed.TotalMicroseconds / count:F2} |");
    }

    private static void History(string dir, long count, string? tcpmsg)
    {
        var path = Path.Combine(dir, $"history-{count}.db");
        if (!File.Exists(path) || Stored(path) != count)
        {
            Build(path, count);
        }

        var end = s_start + s_span;
        using var history = MessageHistory.Open(path);
        Console.WriteLine();
        Console.WriteLine($"| history over {count:N0} messages (library: MessageHistory, warm cache, median of 5) | ms | rows |");
        Console.WriteLine("|---|---|---|");
        Time("--limit 100", () => history.Read(HistoryQuery.Default with { Limit = 100 }).Count);
        Time($"--contains {RareWord} (10 in the store)", () => history.Read(HistoryQuery.Default with { Contains = RareWord }).Count);
        Time("--since 1h (newest 50 of the last hour)", () => history.Read(HistoryQuery.Default with { Since = end - TimeSpan.FromHours(1) }).Count);
        Time("--since 1h --limit 100000 (the whole hour)", () => history.Read(HistoryQuery.Default with { Since = end - TimeSpan.FromHours(1), Limit = 100_000 }).Count);
        Time("--count", () => (int)history.Count(HistoryQuery.Default));
        if (tcpmsg is not null)
        {
            Console.WriteLine();
            Console.WriteLine("| `tcpmsg history` process, start included (median of 5) | ms |");
            Console.WriteLine("|---|---|");
            var since = (end - TimeSpan.FromHours(1)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            foreach (var query in new[] { new[] { "--limit", "100" }, ["--contains", RareWord], ["--since", since], ["--store", "/nonexistent-for-start-time.db"] })
            {
                var args = query[0] == "--store" ? query : ["--store", path, .. query];
                Console.WriteLine($"| {string.Join(' ', query)} | {Median(5, () => RunProcess(tcpmsg, ["history", .. args])):F1} |");
            }
        }
    }

    private static void Build(string path, long count)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        Console.Error.WriteLine($"building {path} ({count:N0} messages) once; later runs reuse it");
        var clock = Stopwatch.StartNew();
        var connection = new ConnectionInfo("c0", new IPEndPoint(IPAddress.Loopback, 40000), new IPEndPoint(IPAddress.Loopback, 2023), s_start);
        using var store = new SqliteMessageStore(StoreOptions.Default with { Path = path, Durability = Durability.Process });
        store.Open();
        var step = s_span.Ticks / count;
        var rare = count / 10;
        var pending = new List<PendingMessage>(BatchSize);
        for (long i = 0; i < count; i += BatchSize)
        {
            var batch = new MessageBatch();
            batch.Reset(connection, new DateTimeOffset(s_start.UtcTicks + (i * step), TimeSpan.Zero), MessageFraming.Line, null, null, null);
            pending.Clear();
            for (var j = i; j < Math.Min(count, i + BatchSize); j++)
            {
                batch.Add(j % rare == 7 ? Encoding.UTF8.GetBytes($"message {j} with the rare word {RareWord} in it".PadRight(TextBytes, '.')) : Text(j), null);
                pending.Add(new PendingMessage(batch, batch.Count - 1));
            }

            store.Append(pending);
        }

        Console.Error.WriteLine($"  stored in {clock.Elapsed.TotalSeconds:F0} s; indexing (serve --search-index)");
        using (var indexer = new SearchIndexer($"Data Source={path};Pooling=False", TimeSpan.FromSeconds(5), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, start: false))
        {
            while (indexer.RunOnce() > 0)
            {
            }
        }

        Console.Error.WriteLine($"  indexed after {clock.Elapsed.TotalSeconds:F0} s");
        Checkpoint(path);
    }

    private static ReadOnlySpan<byte> Text(long i)
    {
        // 100 bytes, different in every message, words a syslog line might have.
        var text = $"2026-11-01T08:00:00Z web{i % 97:D2} nginx[{i % 30011}]: GET /api/items/{i} 200 {i % 8191} bytes in {i % 977} ms ok";
        return Encoding.UTF8.GetBytes(text.PadRight(TextBytes, '.')[..TextBytes]);
    }

    private static void Time(string what, Func<int> query)
    {
        var rows = query();
        var ms = Median(5, () =>
        {
            var clock = Stopwatch.StartNew();
            rows = query();
            return clock.Elapsed.TotalMilliseconds;
        });
        Console.WriteLine($"| {what} | {ms:F1} | {rows:N0} |");
    }

    private static double Median(int runs, Func<double> measure)
    {
        var values = Enumerable.Range(0, runs).Select(_ => measure()).Order().ToArray();
        return values[runs / 2];
    }

    private static double RunProcess(string tcpmsg, string[] args)
    {
        var info = tcpmsg.EndsWith(".dll", StringComparison.Ordinal) ? new ProcessStartInfo("dotnet", [tcpmsg, .. args]) : new ProcessStartInfo(tcpmsg, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static long Stored(string path)
    {
        try
        {
            using var history = MessageHistory.Open(path);
            return history.Count(HistoryQuery.Default);
        }
        catch (StoreException)
        {
            return -1;
        }
    }

    private static void Checkpoint(string path)
    {
        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.ExecuteNonQuery();
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
