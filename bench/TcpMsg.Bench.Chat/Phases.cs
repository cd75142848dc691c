using System.Diagnostics;

namespace TcpMsg.Bench.Chat;

/// <summary>The three phases of one run, each against a fresh server with a fresh store.</summary>
internal static class Phases
{
    /// <summary>CPU seconds this process (the clients) has used.</summary>
    private static double ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Plain-mode ingest without a chat room: raw senders, timed until the server printed every message.</summary>
    public static async Task<PhaseResult> PlainIngestAsync(BenchOptions options)
    {
        await using var server = await ServerProcess.StartAsync([], options.Durability).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(options.PhaseLimit);
        var cpu = server.CpuSeconds();
        var clientCpu = ClientCpu();
        var clock = Stopwatch.StartNew();
        await Senders.PlainAsync(server.Port, options.Senders, options.Messages, options.Size, limit.Token).ConfigureAwait(false);
        while (server.MessageLines < options.Messages)
        {
            await Task.Delay(5, limit.Token).ConfigureAwait(false);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new PhaseResult("plain ingest (no chat)", 0, options.Messages, seconds, options.Messages / seconds, 0, (double.NaN, double.NaN, double.NaN),
            server.CpuSeconds() - cpu, ClientCpu() - clientCpu, server.MemoryMib(), 0);
    }

    /// <summary>
    /// The chat room: members join, then confirmed senders post (as fast as their windows allow, or at
    /// a set rate), timed until every member has every message.
    /// </summary>
    public static async Task<PhaseResult> FanOutAsync(BenchOptions options, int messages, int? rate, string name)
    {
        // The queue holds the whole run, so the saturated phase measures throughput, not evictions.
        await using var server = await ServerProcess.StartAsync(["--chat", "--chat-history", "0", "--chat-queue", (messages + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)], options.Durability).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(options.PhaseLimit);
        var (latencies, done, connections) = await Members.JoinAsync(server.Port, options.Members, messages, limit.Token).ConfigureAwait(false);
        try
        {
            while (server.Joins < options.Members)
            {
                await Task.Delay(5, limit.Token).ConfigureAwait(false);
            }

            var cpu = server.CpuSeconds();
            var clientCpu = ClientCpu();
            var clock = Stopwatch.StartNew();
            var sending = Senders.ConfirmedAsync(server.Port, options.Senders, messages, options.Size, rate, limit.Token);
            await Task.WhenAll(done).WaitAsync(limit.Token).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            await sending.ConfigureAwait(false);
            return new PhaseResult(name, options.Members, messages, seconds, messages / seconds, (double)messages * options.Members / seconds,
                Latencies.Percentiles(latencies), server.CpuSeconds() - cpu, ClientCpu() - clientCpu, server.MemoryMib(), server.SlowDisconnects);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
