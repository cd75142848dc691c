using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>One run of one scenario against one peer.</summary>
internal sealed class ScenarioResult
{
    public required string Scenario { get; init; }

    public required string Peer { get; init; }

    public int Run { get; init; }

    /// <summary>Messages in the timed part (connections, for one-message-per-connection scenarios).</summary>
    public long Messages { get; set; }

    /// <summary>Bytes on the wire in the timed part, line ends included.</summary>
    public long WireBytes { get; set; }

    /// <summary>From the first connect to the last message seen in the peer's output.</summary>
    public double Seconds { get; set; }

    public Verification? Verification { get; set; }

    /// <summary>Why the run did not complete (a peer that did not start, a timeout); null when it did.</summary>
    public string? Error { get; set; }

    /// <summary>Scenario-specific figures: latency percentiles, RSS per connection.</summary>
    public Dictionary<string, double> Metrics { get; } = [];

    public bool Passed => Error is null && Verification is { Passed: true };

    public double MessagesPerSecond => Seconds > 0 ? Messages / Seconds : 0;

    public double MegabytesPerSecond => Seconds > 0 ? WireBytes / Seconds / 1e6 : 0;
}
