namespace TcpMsg.Bench.Chat;

/// <summary>What one phase measured.</summary>
internal sealed record PhaseResult(
    string Name,
    int Members,
    int Messages,
    double Seconds,
    double IngestPerSecond,
    double DeliveriesPerSecond,
    (double P50, double P99, double Max) LatencyMs,
    double ServerCpuSeconds,
    double ClientCpuSeconds,
    (double Now, double Peak) ServerMemoryMib,
    long SlowDisconnects);
