using System.Diagnostics;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>The shape every throughput scenario shares: a warm-up, then a timed load whose clock stops when the peer's output shows the last message.</summary>
internal static class Phase
{
    /// <summary>Sends a load and waits for its lines. <paramref name="send"/> returns how many messages certainly did not go out.</summary>
    /// <returns>Seconds from the start of the load to the last line seen, or -1 when the output never got there.</returns>
    public static double Run(ScenarioContext context, OutputMonitor monitor, ScenarioResult result, Func<long> send, long totalMessages, long totalConnections, string what)
    {
        var start = Stopwatch.GetTimestamp();
        var unsent = send();
        if (unsent > 0)
        {
            result.Metrics["unsent"] = result.Metrics.GetValueOrDefault("unsent") + unsent;
        }

        // A message that never went out will not appear: do not wait for it until the deadline.
        var lines = context.ExpectedLines(totalMessages - unsent, totalConnections - Math.Min(unsent, totalConnections));
        var seenAt = context.AwaitLines(monitor, lines, result, what);
        return seenAt < 0 ? -1 : (seenAt - start) / (double)Stopwatch.Frequency;
    }
}
