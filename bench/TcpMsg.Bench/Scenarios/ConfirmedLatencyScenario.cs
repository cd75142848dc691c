using System.Diagnostics;
using System.Globalization;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;
using TcpMsg.Client;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// Confirmed mode at a fixed, moderate rate: one sender awaits each message's acknowledgement
/// (send -> ack, so the message is in the store). Reports p50, p99 and p99.9; messages of the warm-up
/// (as long as the throughput scenarios', at least a tenth) are not counted.
/// </summary>
internal sealed class ConfirmedLatencyScenario : Scenario
{
    private readonly int _messages;
    private readonly int _rate;
    private readonly int _size;

    public ConfirmedLatencyScenario(string name, int messages, int rate, int size)
    {
        Name = name;
        _messages = messages;
        _rate = rate;
        _size = size;
    }

    public override string Name { get; }

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"1 confirmed sender, {_messages:N0} messages of {_size} bytes at up to {_rate:N0}/s, each awaited: send -> ack (stored)");

    public override bool IsThroughput => false;

    public override bool IsLatency => true;

    public override bool Supports(Peer peer) => peer is TcpMsgPeer { HasStore: true };

    public override async Task<ScenarioResult> RunAsync(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var warm = Math.Max(_messages / 10, (int)(_rate * context.Warmup.TotalSeconds));
        var total = warm + _messages;
        var texts = ConfirmedScenario.Texts(payload, total);
        var latencies = new List<double>(_messages);
        using var monitor = context.Peer.CreateMonitor();
        monitor.Start();
        using var cancel = new CancellationTokenSource(context.Deadline.Remaining);
        long measuredFrom = 0;
        try
        {
            var client = await MessageClient.ConnectAsync("127.0.0.1", context.Peer.Port, MessageClientOptions.Default, cancel.Token).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                using var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _rate));
                for (var id = 0; id < total; id++)
                {
                    var sent = Stopwatch.GetTimestamp();
                    if (id == warm)
                    {
                        measuredFrom = sent;
                    }

                    await client.SendAsync(texts[id], cancel.Token).ConfigureAwait(false);
                    if (id >= warm)
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    }

                    await pace.WaitForNextTickAsync(cancel.Token).ConfigureAwait(false);
                }

                await client.CompleteAsync(cancel.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TcpMsgException or OperationCanceledException)
        {
            result.Error = $"confirmed sending failed: {ex.Message}";
        }

        result.Seconds = measuredFrom == 0 ? -1 : Stopwatch.GetElapsedTime(measuredFrom).TotalSeconds;
        await Task.Run(() => context.AwaitLines(monitor, context.ExpectedLines(total, 1), result, "the messages' lines")).ConfigureAwait(false);
        latencies.Sort();
        if (latencies.Count > 0)
        {
            result.Metrics["p50_ms"] = Statistics.Percentile(latencies, 50);
            result.Metrics["p99_ms"] = Statistics.Percentile(latencies, 99);
            result.Metrics["p999_ms"] = Statistics.Percentile(latencies, 99.9);
        }

        result.Messages = _messages;
        result.WireBytes = (long)_messages * payload.LineSize;
        result.Verification = Verifier.Check(context.Peer, payload, total);
        return result;
    }
}
