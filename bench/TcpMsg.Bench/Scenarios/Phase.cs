using System.Diagnostics;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>The shape every throughput scenario shares: a warm-up, then a timed load whose clock stops when the peer's output shows the last message.</summary>
internal static class Phase
{
    private const int MaxWarmupRounds = 50;

    /// <summary>
    /// Sends rounds of <paramref name="perRound"/> messages (ids from 0) until the context's warm-up time
    /// has passed, at least one round and at most <paramref name="maxMessages"/> in all; returns the
    /// messages sent, and the connections used through <paramref name="connections"/>. A cold run
    /// (<see cref="ScenarioContext.Cold"/>) sends none.
    /// </summary>
    public static long Warmup(ScenarioContext context, OutputMonitor monitor, ScenarioResult result, long perRound, int connectionsPerRound, long maxMessages, Func<long, long> sendRound, out long connections)
    {
        var until = Deadline.After(context.Warmup);
        long sent = 0;
        connections = 0;
        if (context.Cold)
        {
            return 0;
        }

        for (var round = 0; round < MaxWarmupRounds && result.Error is null && (round == 0 || (!until.Passed && sent + perRound <= maxMessages)); round++)
        {
            var from = sent;
            Run(context, monitor, result, () => sendRound(from), perRound, sent + perRound, connections + connectionsPerRound, "the warm-up");
            sent += perRound;
            connections += connectionsPerRound;
        }

        return sent;
    }

    /// <summary>Sends a load of <paramref name="phaseMessages"/> messages and waits for its lines (up to <paramref name="totalMessages"/> in all). <paramref name="send"/> returns how many messages certainly did not go out.</summary>
    /// <returns>Seconds from the start of the load to the last line seen, or -1 when the output never got there.</returns>
    public static double Run(ScenarioContext context, OutputMonitor monitor, ScenarioResult result, Func<long> send, long phaseMessages, long totalMessages, long totalConnections, string what)
    {
        // The collections of a .NET peer during this phase (the last phase, the timed one, wins).
        var collections = context.Peer.Peer is Peers.TcpMsgPeer ? GcCounter.TryStart(context.Peer.Pid) : null;
        var start = Stopwatch.GetTimestamp();
        var cpuBefore = ProcessInfo.CpuSeconds(context.Peer.Pid);
        var unsent = send();
        if (unsent > 0)
        {
            result.Metrics["unsent"] = result.Metrics.GetValueOrDefault("unsent") + unsent;
        }

        // A message that never went out will not appear: do not wait for it until the deadline.
        var lines = context.ExpectedLines(totalMessages - unsent, totalConnections - Math.Min(unsent, totalConnections));
        var seenAt = context.AwaitLines(monitor, lines, result, what);
        var cpuAfter = ProcessInfo.CpuSeconds(context.Peer.Pid);
        if (phaseMessages > 0 && cpuBefore >= 0 && cpuAfter >= 0)
        {
            // The peer's CPU time per message of this phase; the last phase (the timed one) wins.
            result.Metrics["cpu_us_per_message"] = (cpuAfter - cpuBefore) * 1e6 / phaseMessages;
        }

        if (collections?.Stop() is var (gen0, gen1, gen2))
        {
            result.Metrics["gc_gen0"] = gen0;
            result.Metrics["gc_gen1"] = gen1;
            result.Metrics["gc_gen2"] = gen2;
        }

        return seenAt < 0 ? -1 : (seenAt - start) / (double)Stopwatch.Frequency;
    }
}
