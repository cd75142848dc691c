using System.Text.Json;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Bench;

/// <summary>
/// Every benchmark scenario, tiny (a few hundred messages), against each peer, through the real
/// harness process: so that the benchmark cannot rot unnoticed. Figures are not checked here
/// (speed goals belong to bench/run); that every message arrived exactly once and intact is.
/// </summary>
public sealed class BenchSmokeTests
{
    private static readonly string[] s_scenarios = ["churn", "large", "streams", "big lines", "idle", "latency"];
    private static readonly string[] s_confirmed = ["confirmed ×1", "confirmed ×16", "confirmed latency"];

    public static TheoryData<string, string[]> VerifiedPeers => new()
    {
        { "tcpmsg", [.. s_scenarios, "memory"] },
        { "tcpmsg+store", [.. s_scenarios, .. s_confirmed, "stress", "memory"] },
        { "tcpmsg+fsync", s_confirmed },

        // The bare receiver writes no output to time (no latency row) and speaks no confirmed mode.
        { "bare", [.. s_scenarios.Where(s => s != "latency")] },
    };

    [Theory]
    [MemberData(nameof(VerifiedPeers))]
    public async Task Every_scenario_verifies_against(string peer, string[] expected)
    {
        if (peer == "bare")
        {
            ExternalTools.Require("cc");
        }

        var summaries = await RunSmokeAsync(peer);

        Assert.Equal(expected.Order(), summaries.Keys.Order());
        foreach (var (scenario, summary) in summaries)
        {
            Assert.True(summary.GetProperty("Passed").GetBoolean(), $"{scenario} × {peer}: {summary.GetProperty("Failures")}");
            Assert.Equal(100.0, summary.GetProperty("IntactPercent").GetDouble());
        }
    }

    [Theory]
    [InlineData("rsyslog", "rsyslogd")]
    [InlineData("ncat", "ncat")]
    public async Task Every_scenario_runs_against(string peer, string tool)
    {
        ExternalTools.Require(tool);

        var summaries = await RunSmokeAsync(peer);

        // These peers' own losses are findings of the benchmark, not failures of the harness; its
        // start-up and its reading of their output formats are checked on one connection, where
        // both are exact.
        Assert.Equal(s_scenarios.Order(), summaries.Keys.Order());
        Assert.True(summaries["big lines"].GetProperty("Passed").GetBoolean(), summaries["big lines"].GetProperty("Failures").ToString());
        Assert.True(summaries["latency"].GetProperty("Passed").GetBoolean(), summaries["latency"].GetProperty("Failures").ToString());
    }

    private static async Task<Dictionary<string, JsonElement>> RunSmokeAsync(string peer)
    {
        var work = Directory.CreateTempSubdirectory("tcpmsg-bench-smoke-");
        try
        {
            var json = Path.Combine(work.FullName, "results.json");
            await using var bench = ChildProcess.Start(ChildProcess.DotnetHost,
            [
                BenchBuild.DllPath, "load", "--scale", "smoke", "--peers", peer,
                "--tcpmsg", CliBuild.DllPath, "--json", json, "--work-dir", work.FullName, "--timeout", "60",
            ]);
            await bench.WaitForExitAsync(TestTimeouts.Extended);
            Assert.True(File.Exists(json), $"the harness wrote no results; its output: {bench.Error}");
            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            return results.RootElement.GetProperty("summaries").EnumerateArray()
                .ToDictionary(s => s.GetProperty("Scenario").GetString()!, s => s.Clone());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
