using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// Holds many idle connections and measures what they cost the peer: resident memory (VmRSS from
/// /proc) grown per connection once all are accepted, and how long a new client's message then
/// takes to appear in the output.
/// </summary>
internal sealed class IdleScenario : Scenario
{
    private const int Size = 30;
    private const int WarmConnections = 100;
    private const int OpeningThreads = 4;

    private readonly int _connections;

    public IdleScenario(string name, int connections)
    {
        Name = name;
        _connections = connections;
    }

    public override string Name { get; }

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{_connections:N0} idle connections held: peer RSS growth per connection, then one new client's message: connect -> line in the output");

    public override bool IsThroughput => false;

    // The load runs on threads with blocking sockets; the harness awaits it off its own thread.
    public override Task<ScenarioResult> RunAsync(ScenarioContext context) => Task.Run(() => Run(context));

    private ScenarioResult Run(ScenarioContext context)
    {
        var payload = new Payload(Size);
        var result = context.NewResult(this);
        var peer = context.Peer;
        using var monitor = peer.CreateMonitor();
        monitor.Start();

        // Warm the peer's connection path first, so its one-time costs (JIT, pools) are not counted per connection.
        Phase.Run(context, monitor, result, () => ConnectionChurn.Run(peer.EndPoint, payload, 0, WarmConnections, 10, context.Deadline), WarmConnections, WarmConnections, WarmConnections, "the warm-up");
        result.Metrics.Remove("cpu_us_per_message");
        var idle = new List<Socket>(_connections);
        try
        {
            var rssBefore = SettledRss(peer.Pid, context.Deadline);
            var descriptorsBefore = ProcessInfo.OpenDescriptors(peer.Pid);
            OpenIdle(context, idle);
            if (idle.Count < _connections)
            {
                result.Error ??= $"opened {idle.Count} of {_connections} idle connections";
            }

            if (!WaitForAccepted(peer, descriptorsBefore + idle.Count, context.Deadline))
            {
                result.Error ??= $"the peer accepted {ProcessInfo.OpenDescriptors(peer.Pid) - descriptorsBefore} of {idle.Count} connections in time";
            }

            var rssAfter = SettledRss(peer.Pid, context.Deadline);
            result.Metrics["connections"] = idle.Count;
            result.Metrics["rss_before_kib"] = rssBefore;
            result.Metrics["rss_after_kib"] = rssAfter;
            result.Metrics["rss_kib_per_connection"] = idle.Count == 0 ? double.NaN : (rssAfter - rssBefore) / (double)idle.Count;

            // The new client: the tutorial's pattern, timed from connect to its line in the output.
            var lines = monitor.Lines;
            var start = Stopwatch.GetTimestamp();
            ConnectionChurn.Run(peer.EndPoint, payload, WarmConnections, 1, 1, context.Deadline);
            var seenAt = context.AwaitLines(monitor, lines + 1, result, "the new client's message");
            if (seenAt > 0)
            {
                result.Metrics["new_client_ms"] = (seenAt - start) * 1000.0 / Stopwatch.Frequency;
            }
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }

        // The idle connections' own lines (tcpmsg's disconnects) come last; wait for them before reading the file.
        var total = WarmConnections + 1;
        context.AwaitLines(monitor, context.ExpectedLines(total, total + idle.Count), result, "the idle connections' close");
        result.Messages = total;
        result.WireBytes = total * payload.LineSize;
        result.Verification = Verifier.Check(peer, payload, total);
        return result;
    }

    private void OpenIdle(ScenarioContext context, List<Socket> idle)
    {
        var opened = new Socket?[_connections];
        long next = -1;
        var threads = Enumerable.Range(0, OpeningThreads).Select(_ => new Thread(() =>
        {
            long n;
            while ((n = Interlocked.Increment(ref next)) < opened.Length && !context.Deadline.Passed)
            {
                try
                {
                    opened[n] = Sockets.Connect(context.Peer.EndPoint, context.Deadline);
                }
                catch (SocketException)
                {
                    // Counted below: the connections that did not open are not held.
                }
            }
        })
        { IsBackground = true, Name = "idle opener" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join(context.Deadline.Remaining + TimeSpan.FromSeconds(15)));
        idle.AddRange(opened.OfType<Socket>());
    }

    private static bool WaitForAccepted(RunningPeer peer, int descriptors, Deadline deadline)
    {
        while (ProcessInfo.OpenDescriptors(peer.Pid) < descriptors)
        {
            if (deadline.Passed || peer.HasExited)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>RSS once it stops moving (two readings 200 ms apart within 1%), at most 3 s of waiting.</summary>
    private static long SettledRss(int pid, Deadline deadline)
    {
        var limit = Deadline.After(TimeSpan.FromSeconds(3));
        var previous = ProcessInfo.RssKib(pid);
        while (!limit.Passed && !deadline.Passed)
        {
            Thread.Sleep(200);
            var current = ProcessInfo.RssKib(pid);
            if (Math.Abs(current - previous) <= previous / 100)
            {
                return current;
            }

            previous = current;
        }

        return previous;
    }
}
