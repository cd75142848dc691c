using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// One load pattern of the benchmark. A scenario sends its messages to a started peer, measures,
/// then checks the peer's output: every message exactly once and intact, or the run fails.
/// One row of <see cref="ScenarioTable"/>.
/// </summary>
internal abstract class Scenario
{
    public abstract string Name { get; }

    /// <summary>What the scenario does, with its sizes, for the report.</summary>
    public abstract string Summary { get; }

    /// <summary>True when the figure is throughput (messages/s), false for latency or memory figures.</summary>
    public virtual bool IsThroughput => true;

    /// <summary>Whether the scenario can measure this peer (latency needs an output to watch).</summary>
    public virtual bool Supports(Peer peer) => true;

    /// <summary>Whether the figures are latencies (p50, p99, p99.9 in milliseconds) rather than a rate.</summary>
    public virtual bool IsLatency => false;

    /// <summary>
    /// True when the scenario warms the peer up before its timed load (<see cref="Phase.Warmup"/>): it is
    /// then also run cold, without one. The others measure from the peer's first message anyway.
    /// </summary>
    public virtual bool HasWarmup => false;

    /// <summary>The name of the scenario's cold run in the report.</summary>
    public string ColdName => $"{Name}, cold";

    /// <summary>The peer as this scenario starts it: the same, or with options of its own (the stress scenario's limits).</summary>
    public virtual Peer Configure(Peer peer) => peer;

    /// <summary>Peers that run only some scenarios (tcpmsg with fsync durability) say so in their row.</summary>

    public bool Runs(Peer peer) => Supports(peer) && (peer.Scenarios is null || peer.Scenarios.Contains(Name));

    public abstract Task<ScenarioResult> RunAsync(ScenarioContext context);
}
