using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>What a scenario run gets: the started peer, the time bound and a place for progress notes.</summary>
internal sealed class ScenarioContext
{
    private static readonly TimeSpan s_stallLimit = TimeSpan.FromSeconds(10);

    public required RunningPeer Peer { get; init; }

    /// <summary>Nothing in the run goes past this.</summary>
    public required Deadline Deadline { get; init; }

    public required TextWriter Log { get; init; }

    public required int Run { get; init; }

    /// <summary>How long a throughput scenario warms the peer up (JIT tiers, pools, caches) before its timed load.</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>
    /// A cold run: no warm-up at all, the timed load is the first the freshly started peer sees (JIT,
    /// pools and caches included), the way a user's server meets its first clients. Reported apart,
    /// as the scenario's <see cref="Scenario.ColdName"/>.
    /// </summary>
    public bool Cold { get; init; }

    public ScenarioResult NewResult(Scenario scenario) => new() { Scenario = Cold ? scenario.ColdName : scenario.Name, Peer = Peer.Peer.Name, Run = Run };

    /// <summary>Output lines the peer writes for <paramref name="messages"/> messages over <paramref name="connections"/> connections.</summary>
    public long ExpectedLines(long messages, long connections) => messages + (connections * Peer.Peer.LinesPerConnection);

    /// <summary>Waits for the peer's output to reach <paramref name="lines"/>; returns when, or records a timeout error.</summary>
    public long AwaitLines(OutputMonitor monitor, long lines, ScenarioResult result, string what)
    {
        // Wait in slices, so that a peer that died, or stopped writing with messages still missing,
        // is reported at once rather than at the deadline. Called once the load was sent, so a
        // working peer shows progress well within the stall limit.
        var lastLines = monitor.Lines;
        var lastProgress = Deadline.After(s_stallLimit);
        while (true)
        {
            var seenAt = monitor.WaitForLines(lines, TimeSpan.FromMilliseconds(Math.Min(250, Deadline.RemainingMilliseconds)));
            if (seenAt >= 0)
            {
                return seenAt;
            }

            if (monitor.Lines != lastLines)
            {
                lastLines = monitor.Lines;
                lastProgress = Deadline.After(s_stallLimit);
            }

            if (Peer.HasExited || Deadline.Passed || lastProgress.Passed)
            {
                var why = Peer.HasExited ? $"{Peer.Peer.Name} exited" : Deadline.Passed ? "timed out" : $"no new output for {s_stallLimit.TotalSeconds} s";
                result.Error ??= $"{why} waiting for {what}: the output shows {monitor.Lines} of {lines} lines";
                return -1;
            }
        }
    }
}
