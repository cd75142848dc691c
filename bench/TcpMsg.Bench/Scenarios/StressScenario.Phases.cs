using System.Diagnostics;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>The stress scenario's phases: warm-up, idle (A), the attack building up, under attack (B).</summary>
internal sealed partial class StressScenario
{
    private async Task RunPhasesAsync(ScenarioContext context, StressRun run, ScenarioResult result)
    {
        var peer = context.Peer;
        using var cancel = new CancellationTokenSource(context.Deadline.Remaining);
        var stalled = new StalledConnections(peer.EndPoint, _stalled, _addresses, context.Deadline);
        var flood = new Flood(peer.EndPoint, _floodConnections, s_floodRetry, context.Deadline);
        using var rss = new RssPeak(peer.Pid);
        try
        {
            var sender = await PacedConfirmedSender.ConnectAsync(peer.Port, run.Payload, _rate, cancel.Token).ConfigureAwait(false);
            await using (sender.ConfigureAwait(false))
            {
                try
                {
                    await sender.SendAsync(Math.Max(_messages / 10, (int)(_rate * context.Warmup.TotalSeconds)), cancel.Token).ConfigureAwait(false);
                    await MeasureAsync(context, sender, "idle", result, cancel.Token).ConfigureAwait(false);
                    result.Metrics["rss_idle_kib"] = ProcessInfo.RssKib(peer.Pid);

                    // The attack builds up while the client goes on sending: the stalled connections until the
                    // server holds them all, then the flood until each of its connections has connected once.
                    var descriptors = ProcessInfo.OpenDescriptors(peer.Pid);
                    var opening = Task.Run(stalled.OpenAll);
                    await sender.SendWhileAsync(() => !opening.IsCompleted, int.MaxValue, cancel.Token).ConfigureAwait(false);
                    var opened = await opening.ConfigureAwait(false);
                    stalled.StartKeeping();
                    if (opened < stalled.Count)
                    {
                        result.Error ??= $"opened {opened} of {_stalled} stalled connections";
                    }

                    result.Metrics["stalled_open"] = opened;
                    var limit = Deadline.After(TimeSpan.FromSeconds(10));
                    await sender.SendWhileAsync(() => ProcessInfo.OpenDescriptors(peer.Pid) < descriptors + opened && !limit.Passed, int.MaxValue, cancel.Token).ConfigureAwait(false);
                    result.Metrics["server_connections_attack"] = ProcessInfo.OpenDescriptors(peer.Pid) - descriptors;
                    flood.Start();
                    limit = Deadline.After(TimeSpan.FromSeconds(10));
                    await sender.SendWhileAsync(() => flood.Connected < flood.Connections && !limit.Passed, int.MaxValue, cancel.Token).ConfigureAwait(false);
                    stalled.MarkMinimum();
                    rss.Start();
                    var floodBefore = run.FloodLines;
                    var attackStart = Stopwatch.GetTimestamp();
                    await MeasureAsync(context, sender, "attack", result, cancel.Token).ConfigureAwait(false);
                    result.Metrics["flood_delivered_per_s"] = (run.FloodLines - floodBefore) / Stopwatch.GetElapsedTime(attackStart).TotalSeconds;
                    result.Metrics["stalled_open_min"] = stalled.MinimumOpen;
                    result.Metrics["flood_open"] = flood.Open;
                    result.Metrics["rss_attack_peak_kib"] = rss.Stop();
                    result.Metrics["p99_ratio"] = result.Metrics["attack_p99_ms"] / result.Metrics["idle_p99_ms"];
                    await sender.CompleteAsync(cancel.Token).ConfigureAwait(false);
                }
                finally
                {
                    run.Sent = sender.Sent;
                }
            }
        }
        catch (Exception ex) when (ex is TcpMsgException or OperationCanceledException)
        {
            result.Error ??= $"the legitimate client failed: {ex.Message}";
        }
        finally
        {
            stalled.Dispose();
            flood.Dispose();
        }

        RecordAttack(stalled, flood, result);
    }

    /// <summary>Sends the phase's messages; records their p50, p99, p99.9 and the server's CPU share meanwhile.</summary>
    private async Task MeasureAsync(ScenarioContext context, PacedConfirmedSender sender, string phase, ScenarioResult result, CancellationToken cancellationToken)
    {
        var cpuBefore = ProcessInfo.CpuSeconds(context.Peer.Pid);
        var start = Stopwatch.GetTimestamp();
        var latencies = await sender.SendAsync(_messages, cancellationToken).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        result.Metrics[$"{phase}_cpu_percent"] = (ProcessInfo.CpuSeconds(context.Peer.Pid) - cpuBefore) * 100 / seconds;
        latencies.Sort();
        result.Metrics[$"{phase}_p50_ms"] = Statistics.Percentile(latencies, 50);
        result.Metrics[$"{phase}_p99_ms"] = Statistics.Percentile(latencies, 99);
        result.Metrics[$"{phase}_p999_ms"] = Statistics.Percentile(latencies, 99.9);
    }
}
