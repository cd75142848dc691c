using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// One connection sending at a fixed, moderate rate; for each message, the time from just before its
/// send to its line appearing in the peer's output file (seen through inotify). Reports p50, p99 and
/// p99.9. The same rate is first held for the warm-up time (at least a tenth of the messages), whose
/// messages are not counted: a JIT-compiled peer would otherwise be timed while it compiles.
/// </summary>
internal sealed class LatencyScenario : Scenario
{
    private readonly int _messages;
    private readonly int _rate;
    private readonly int _size;

    public LatencyScenario(string name, int messages, int rate, int size)
    {
        Name = name;
        _messages = messages;
        _rate = rate;
        _size = size;
    }

    public override string Name { get; }

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"1 connection, {_messages:N0} messages of {_size} bytes at {_rate:N0}/s after as many seconds of warm-up as the throughput scenarios; send -> line in the output file");

    public override bool IsThroughput => false;

    public override bool IsLatency => true;

    // The bare receiver writes no output whose appearance could be timed; ncat (read, write) is the floor here.
    public override bool Supports(Peer peer) => peer.WritesMessages;

    // The load runs on threads with blocking sockets; the harness awaits it off its own thread.
    public override Task<ScenarioResult> RunAsync(ScenarioContext context) => Task.Run(() => Run(context));

    private ScenarioResult Run(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var warm = Math.Max(_messages / 10, (int)(_rate * context.Warmup.TotalSeconds));
        var total = warm + _messages;
        var sentAt = new long[total];
        var seenAt = new long[total];
        var peer = context.Peer.Peer;
        using var monitor = context.Peer.CreateMonitor((line, timestamp) =>
        {
            if (peer.Classify(line, out var message) == LineKind.Message &&
                payload.TryMatch(message, out var id) && id < seenAt.Length && seenAt[id] == 0)
            {
                seenAt[id] = timestamp;
            }
        });
        monitor.Start();

        try
        {
            SendPaced(context, payload, sentAt);
        }
        catch (SocketException ex)
        {
            result.Error = $"sending failed: {ex.Message}";
        }

        var end = context.AwaitLines(monitor, context.ExpectedLines(total, 1), result, "the messages");
        result.Messages = _messages;
        result.WireBytes = (long)_messages * payload.LineSize;
        result.Seconds = end < 0 || sentAt[warm] == 0 ? -1 : (end - sentAt[warm]) / (double)Stopwatch.Frequency;
        Summarize(result, sentAt, seenAt, warm);
        result.Verification = Verifier.Check(context.Peer, payload, total);
        return result;
    }

    private void SendPaced(ScenarioContext context, Payload payload, long[] sentAt)
    {
        var line = new byte[payload.LineSize];
        payload.WriteLine(line, 0);
        var interval = Stopwatch.Frequency / (double)_rate;
        using var socket = Sockets.Connect(context.Peer.EndPoint, context.Deadline);
        var start = Stopwatch.GetTimestamp();
        for (var id = 0; id < sentAt.Length && !context.Deadline.Passed; id++)
        {
            // Sleep rather than spin: on two cores a spinning sender would take the peer's CPU.
            var due = start + (long)(id * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.Sleep(1);
            }

            Payload.PatchId(line, id);
            sentAt[id] = Stopwatch.GetTimestamp();
            Sockets.SendAll(socket, line);
        }

        Sockets.FinishAndAwaitClose(socket, line, context.Deadline);
    }

    private void Summarize(ScenarioResult result, long[] sentAt, long[] seenAt, int warm)
    {
        var latencies = new List<double>(_messages);
        for (var id = warm; id < sentAt.Length; id++)
        {
            if (sentAt[id] != 0 && seenAt[id] != 0)
            {
                latencies.Add((seenAt[id] - sentAt[id]) * 1000.0 / Stopwatch.Frequency);
            }
        }

        if (latencies.Count == 0)
        {
            return;
        }

        latencies.Sort();
        result.Metrics["p50_ms"] = Statistics.Percentile(latencies, 50);
        result.Metrics["p99_ms"] = Statistics.Percentile(latencies, 99);
        result.Metrics["p999_ms"] = Statistics.Percentile(latencies, 99.9);
    }
}
