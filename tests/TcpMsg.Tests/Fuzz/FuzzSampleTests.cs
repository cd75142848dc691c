using TcpMsg.Fuzz;

namespace TcpMsg.Tests.Fuzz;

/// <summary>
/// A sample of the fuzz campaign in every test run: each decoder, 20,000 generated inputs from a fixed
/// seed, so that a failure happens again on every run and on every machine until it is fixed (the seed
/// is printed with it, to replay it with the campaign tool, whose generators are seeded the same in
/// every process). New inputs come from campaign runs with other seeds (--seed). The full
/// campaign (a million inputs each) is tests/TcpMsg.Fuzz, run by hand or in a benchmark job.
/// </summary>
public sealed class FuzzSampleTests
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_sample_of_generated_inputs_breaks_no_rule(string name)
    {
        const int seed = 20261204;
        var log = new List<string>();
        var options = new FuzzOptions { Iterations = 20_000, Seed = seed, Workers = 2, HangLimit = TimeSpan.FromSeconds(60), InputTimeLimit = TimeSpan.FromSeconds(5) };

        var report = new FuzzRunner(options, log.Add).Run(FuzzTargets.All.Single(t => t.Name == name));

        Assert.True(report.Failures.Count == 0, $"seed {seed}: {string.Join("\n", log)}");
        Assert.Equal(20_000, report.Inputs);
        Assert.True(report.Outcomes.Count >= 2, $"the generator reached too few outcomes: {report}");
    }

    [Fact]
    public void A_workers_seed_is_the_same_in_every_process_and_differs_by_target_and_worker()
    {
        // Fixed values: a seed made from per-process randomized hashes would differ in the next process.
        Assert.Equal(1089333088, FuzzRunner.WorkerSeed(1, "a", 0));
        Assert.NotEqual(FuzzRunner.WorkerSeed(1, "a", 0), FuzzRunner.WorkerSeed(1, "a", 1));
        Assert.NotEqual(FuzzRunner.WorkerSeed(1, "a", 0), FuzzRunner.WorkerSeed(1, "b", 0));
    }
}
