namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// The scenarios of issue 4 (and issue 6's stress test), at each scale. Adding one is one more <see cref="Scenario"/> class and
/// one more line here.
/// </summary>
internal static class ScenarioTable
{
    // What a careful operator sets on a public port (docs/security.md), for the stress scenario.
    private static readonly string[] s_publicPort =
    [
        "--max-connections", "10000", "--max-connections-per-ip", "100", "--rate", "1000/s", "--rate-per-ip", "10000/s",
        "--max-message-size", "64KiB", "--message-timeout", "10s", "--handshake-timeout", "5s", "--idle-timeout", "60s",
    ];

    // The same, scaled down so that a smoke run of seconds meets every limit.
    private static readonly string[] s_smokePort =
    [
        "--max-connections", "10000", "--max-connections-per-ip", "20", "--rate", "1000/s", "--rate-per-ip", "2000/s",
        "--max-message-size", "64KiB", "--message-timeout", "1s", "--handshake-timeout", "1s", "--idle-timeout", "60s",
    ];

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
            new StressScenario("stress", messages: 3_000, rate: 200, stalled: 5_000, addresses: 100, floodConnections: 200, s_publicPort),
            new MemoryScenario("memory", connections: 1_000, size: 1_000_000),
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
            new StressScenario("stress", messages: 2_000, rate: 200, stalled: 2_000, addresses: 40, floodConnections: 200, s_publicPort),
            new MemoryScenario("memory", connections: 1_000, size: 1_000_000),
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
            new StressScenario("stress", messages: 300, rate: 100, stalled: 200, addresses: 20, floodConnections: 30, s_smokePort),
            new MemoryScenario("memory", connections: 40, size: 100_000),
        ],
    };
}
