using TcpMsg.Bench.Scenarios;

namespace TcpMsg.Bench.Report;

/// <summary>All runs of one scenario against one peer, reduced to medians.</summary>
internal sealed class Summary
{
    public required string Scenario { get; init; }

    public required string Peer { get; init; }

    public required bool IsThroughput { get; init; }

    public required int Runs { get; init; }

    /// <summary>True when every run completed and verified: all messages exactly once, intact.</summary>
    public required bool Passed { get; init; }

    public required double MessagesPerSecond { get; init; }

    public required double MegabytesPerSecond { get; init; }

    /// <summary>The worst run's share of intact messages.</summary>
    public required double IntactPercent { get; init; }

    public required Dictionary<string, double> Metrics { get; init; }

    /// <summary>What went wrong in the runs that failed.</summary>
    public required IReadOnlyList<string> Failures { get; init; }

    /// <summary>The runs of <paramref name="scenario"/> reported as <paramref name="name"/> (its own name, or its cold run's).</summary>
    public static Summary Of(Scenario scenario, string name, string peer, IReadOnlyList<ScenarioResult> runs) => new()
    {
        Scenario = name,
        Peer = peer,
        IsThroughput = scenario.IsThroughput,
        Runs = runs.Count,
        Passed = runs.Count > 0 && runs.All(r => r.Passed),
        MessagesPerSecond = Statistics.Median(runs.Select(r => r.MessagesPerSecond)),
        MegabytesPerSecond = Statistics.Median(runs.Select(r => r.MegabytesPerSecond)),
        IntactPercent = runs.Count == 0 ? 0 : runs.Min(r => r.Verification?.IntactPercent ?? 0),
        Metrics = runs.SelectMany(r => r.Metrics.Keys).Distinct()
            .ToDictionary(key => key, key => Statistics.Median(runs.Where(r => r.Metrics.ContainsKey(key)).Select(r => r.Metrics[key]))),
        Failures = [.. runs.Where(r => !r.Passed).Select(r => $"run {r.Run}: {r.Error ?? r.Verification?.ToString() ?? "not verified"}")],
    };
}
