namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// The scenarios of issue 4, at each scale. Adding one is one more <see cref="Scenario"/> class and
/// one more line here.
/// </summary>
internal static class ScenarioTable
{
    public static IReadOnlyList<Scenario> For(Scale scale) => scale switch
    {
        Scale.Full =>
        [
            new ChurnScenario("churn", connections: 20_000, size: 30, concurrency: 50),
            new ChurnScenario("large", connections: 2_000, size: 3_000, concurrency: 50),
            new StreamScenario("streams", messages: 1_000_000, connections: 8, size: 99),
            new StreamScenario("big lines", messages: 500_000, connections: 1, size: 999),
            new IdleScenario("idle", connections: 10_000),
            new LatencyScenario("latency", messages: 5_000, rate: 1_000, size: 100),
            new ConfirmedScenario("confirmed ×1", messages: 100_000, senders: 1, size: 100),
            new ConfirmedScenario("confirmed ×16", messages: 200_000, senders: 16, size: 100),
            new ConfirmedLatencyScenario("confirmed latency", messages: 2_000, rate: 500, size: 100),
        ],
        Scale.Quick =>
        [
            new ChurnScenario("churn", connections: 4_000, size: 30, concurrency: 50),
            new ChurnScenario("large", connections: 1_000, size: 3_000, concurrency: 50),
            new StreamScenario("streams", messages: 200_000, connections: 8, size: 99),
            new StreamScenario("big lines", messages: 50_000, connections: 1, size: 999),
            new IdleScenario("idle", connections: 2_000),
            new LatencyScenario("latency", messages: 1_000, rate: 1_000, size: 100),
            new ConfirmedScenario("confirmed ×1", messages: 20_000, senders: 1, size: 100),
            new ConfirmedScenario("confirmed ×16", messages: 40_000, senders: 16, size: 100),
            new ConfirmedLatencyScenario("confirmed latency", messages: 500, rate: 500, size: 100),
        ],
        _ =>
        [
            new ChurnScenario("churn", connections: 200, size: 30, concurrency: 10),
            new ChurnScenario("large", connections: 50, size: 3_000, concurrency: 10),
            new StreamScenario("streams", messages: 800, connections: 8, size: 99),
            new StreamScenario("big lines", messages: 300, connections: 1, size: 999),
            new IdleScenario("idle", connections: 100),
            new LatencyScenario("latency", messages: 200, rate: 2_000, size: 100),
            new ConfirmedScenario("confirmed ×1", messages: 200, senders: 1, size: 100),
            new ConfirmedScenario("confirmed ×16", messages: 320, senders: 16, size: 100),
            new ConfirmedLatencyScenario("confirmed latency", messages: 100, rate: 1_000, size: 100),
        ],
    };
}
