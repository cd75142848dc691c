using System.Diagnostics;
using System.Globalization;
using System.Net;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Store;

/// <summary>
/// <c>TcpMsg.Bench shared-store [--tcpmsg DLL|BINARY] [--messages N] [--connections N] [--runs N] [--durability D]</c>:
/// the store on PostgreSQL against the embedded SQLite store, in the same run. Three rows: one
/// server on SQLite, one server on PostgreSQL, two servers sharing one PostgreSQL database (the
/// connections split between them). Each row is a fresh set of processes and a fresh store; its
/// first pass of N messages is the cold figure, a second pass on the same processes the warm one.
/// The figure is stored messages per second (a server prints a message after its commit, so the
/// last line in its output means the last row is committed), with the CPU per message of the
/// tcpmsg servers and of PostgreSQL apart. Every row is checked afterwards with
/// <c>tcpmsg history --count</c>: the store holds exactly what was sent.
/// </summary>
internal static class SharedStoreBench
{
    private const int MessageSize = 99;
    private static readonly TimeSpan s_passTimeout = TimeSpan.FromMinutes(5);

    private sealed record Row(string Name, int Servers, bool Postgres);

    private sealed record Pass(double Seconds, double TcpmsgCpu, double PostgresCpu);

    private static readonly Row[] s_rows =
    [
        new("sqlite ×1", 1, Postgres: false),
        new("postgresql ×1", 1, Postgres: true),
        new("postgresql ×2", 2, Postgres: true),
    ];

    public static int Run(string[] args)
    {
        var tcpmsg = Value(args, "--tcpmsg") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "TcpMsg.Cli", "bin", "Release", "net10.0", "TcpMsg.Cli.dll");
        var messages = long.Parse(Value(args, "--messages") ?? "400000", CultureInfo.InvariantCulture);
        var connections = int.Parse(Value(args, "--connections") ?? "8", CultureInfo.InvariantCulture);
        var runs = int.Parse(Value(args, "--runs") ?? "1", CultureInfo.InvariantCulture);
        var durability = Value(args, "--durability") ?? "process";
        if (!File.Exists(tcpmsg))
        {
            Console.Error.WriteLine($"shared-store: {tcpmsg} is not built (dotnet build -c Release src/TcpMsg.Cli, or give --tcpmsg)");
            return 2;
        }

        if (PostgresCluster.Unavailable() is { } why)
        {
            Console.Error.WriteLine($"shared-store: {why}");
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), $"tcpmsg-bench-shared-{Environment.ProcessId}");
        using var cluster = PostgresCluster.Start(Path.Combine(root, "pg"));
        var results = s_rows.ToDictionary(row => row, _ => new List<(Pass Cold, Pass Warm)>());
        for (var run = 0; run < runs; run++)
        {
            foreach (var row in s_rows)
            {
                var store = row.Postgres ? cluster.CreateDatabase($"bench{run}_{row.Servers}") : Path.Combine(root, $"bench{run}.db");
                results[row].Add(RunRow(row, tcpmsg, store, durability, cluster, messages, connections, Path.Combine(root, $"run{run}-{row.Servers}{(row.Postgres ? "pg" : "sqlite")}")));
            }
        }

        Report(results, tcpmsg, messages, connections, durability, runs);
        return 0;
    }

    private static (Pass Cold, Pass Warm) RunRow(Row row, string tcpmsg, string store, string durability, PostgresCluster cluster, long messages, int connections, string directory)
    {
        Directory.CreateDirectory(directory);
        var payload = new Payload(MessageSize);
        var servers = new List<RunningPeer>();
        var monitors = new List<OutputMonitor>();
        try
        {
            for (var i = 0; i < row.Servers; i++)
            {
                var serverDirectory = Path.Combine(directory, i.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(serverDirectory);
                var peer = new TcpMsgPeer(row.Name, tcpmsg, ["--store", store, "--durability", durability]);
                var running = peer.Start(ProcessInfo.FreePort(), serverDirectory);
                servers.Add(running);
                running.WaitUntilListening();
                var monitor = running.CreateMonitor();
                monitor.Start();
                monitors.Add(monitor);
            }

            var lines = new long[row.Servers];
            var cold = RunPass(servers, monitors, lines, cluster, row.Postgres, payload, 0, messages, connections);
            var warm = RunPass(servers, monitors, lines, cluster, row.Postgres, payload, messages, messages, connections);
            var stored = CountStored(tcpmsg, store);
            if (stored != 2 * messages)
            {
                throw new InvalidOperationException($"{row.Name}: the store holds {stored:N0} messages, {2 * messages:N0} were sent");
            }

            return (cold, warm);
        }
        finally
        {
            foreach (var monitor in monitors)
            {
                monitor.Dispose();
            }

            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    /// <summary>Sends messages <paramref name="first"/>.. split over the servers; waits until every server printed its share.</summary>
    private static Pass RunPass(List<RunningPeer> servers, List<OutputMonitor> monitors, long[] lines, PostgresCluster cluster, bool postgres, Payload payload, long first, long messages, int connections)
    {
        var deadline = Deadline.After(s_passTimeout);
        var tcpmsgCpu = servers.Sum(s => ProcessInfo.CpuSeconds(s.Pid));
        var postgresCpu = postgres ? cluster.CpuSeconds() : 0;
        var started = Stopwatch.GetTimestamp();
        var senders = new Thread[servers.Count];
        long unsent = 0;
        for (var i = 0; i < servers.Count; i++)
        {
            var endPoint = new IPEndPoint(IPAddress.Loopback, servers[i].Port);
            var from = first + (messages * i / servers.Count);
            var count = (first + (messages * (i + 1) / servers.Count)) - from;
            var share = connections / servers.Count;

            // The server prints its share of the messages and one disconnect line per connection.
            lines[i] += count + share;
            senders[i] = new Thread(() => Interlocked.Add(ref unsent, StreamSender.Run(endPoint, payload, from, count, share, deadline))) { IsBackground = true };
            senders[i].Start();
        }

        foreach (var sender in senders)
        {
            sender.Join(deadline.Remaining + TimeSpan.FromSeconds(15));
        }

        if (Interlocked.Read(ref unsent) != 0)
        {
            throw new InvalidOperationException($"{unsent:N0} messages could not be sent: {string.Join(" | ", servers.Select(s => s.ReadError()))}");
        }

        long finished = started;
        for (var i = 0; i < servers.Count; i++)
        {
            var expected = lines[i];
            var at = monitors[i].WaitForLines(expected, deadline.Remaining);
            if (at < 0)
            {
                throw new InvalidOperationException($"server {i} printed {monitors[i].Lines:N0} of {expected:N0} lines in time: {servers[i].ReadError()}");
            }

            finished = Math.Max(finished, at);
        }

        return new Pass(
            (finished - started) / (double)Stopwatch.Frequency,
            servers.Sum(s => ProcessInfo.CpuSeconds(s.Pid)) - tcpmsgCpu,
            postgres ? cluster.CpuSeconds() - postgresCpu : 0);
    }

    private static long CountStored(string tcpmsg, string store)
    {
        var isDll = tcpmsg.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(isDll ? "dotnet" : tcpmsg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (isDll ? new[] { tcpmsg } : []).Concat(["history", "--store", store, "--count"]))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 && long.TryParse(output.Trim().Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidOperationException($"tcpmsg history --count exited {process.ExitCode}: {error}{output}");
    }

    private static void Report(Dictionary<Row, List<(Pass Cold, Pass Warm)>> results, string tcpmsg, long messages, int connections, string durability, int runs)
    {
        var load = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"# shared-store bench ({DateTimeOffset.UtcNow:u}; load average {load})");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tcpmsg: {(tcpmsg.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "the JIT build (dotnet TcpMsg.Cli.dll)" : tcpmsg)}; {connections} connections, {messages:N0} lines of {MessageSize + 1} bytes per pass, --durability {durability}, medians of {runs} run(s); cold = the first pass of fresh processes on an empty store, warm = the second."));
        Console.WriteLine();
        Console.WriteLine("| store | pass | messages/s | vs sqlite ×1 | vs postgresql ×1 | tcpmsg CPU µs/msg | PostgreSQL CPU µs/msg |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var pass in new[] { "cold", "warm" })
        {
            double Rate(Row row) => Median(results[row].Select(r => messages / (pass == "cold" ? r.Cold : r.Warm).Seconds));
            double Cpu(Row row, Func<Pass, double> of) => Median(results[row].Select(r => of(pass == "cold" ? r.Cold : r.Warm) * 1e6 / messages));
            foreach (var row in s_rows)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {row.Name} | {pass} | {Rate(row):N0} | {Rate(row) / Rate(s_rows[0]):F2}x | {Rate(row) / Rate(s_rows[1]):F2}x | {Cpu(row, p => p.TcpmsgCpu):F2} | {Cpu(row, p => p.PostgresCpu):F2} |"));
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
