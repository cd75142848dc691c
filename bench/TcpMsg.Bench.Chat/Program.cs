using System.Globalization;
using System.Runtime.InteropServices;
using TcpMsg.Bench.Chat;

// tcpmsg chat fan-out benchmark: plain ingest, then the chat room saturated, then paced, in one run.
var options = BenchOptions.Parse(args);
string F(double value, string format = "N0") => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
if (options.Scenario == "burst")
{
    var bursts = new List<BurstResult>();
    string Row(BurstResult b)
    {
        string Spread(IReadOnlyList<double> values) => values.Count == 0 ? "-" : $"{F(values[0])} / {F(values[values.Count / 2])} / {F(values[^1])}";
        var deliveries = b.Received.Sum(r => (long)r);
        return $"| {b.Members} | {b.Messages:N0} | {F(b.FloodSeconds, "N2")} | {Spread(b.PerMember)} | " +
            $"{(b.Received.Length == 0 ? "-" : $"{b.Received[0]:N0} / {b.Received[^1]:N0}")} | {F(b.CatchUpSeconds, "N2")} | {b.Dropped} | {F(b.PeakRssMib)} | " +
            $"{F(b.ServerCpuSeconds, "N1")} ({(deliveries == 0 ? "-" : F(b.ServerCpuSeconds * 1e6 / deliveries, "N2"))}) | {F(b.StalledRemovedSeconds, "N1")} | {b.Failure ?? "ok"} |";
    }

    const string Header = "| reading members | lines | flood stored s | per member msg/s min / median / max | lines received min / max | catch-up s | dropped members | server peak RSS MiB | server CPU s (µs per delivery) | stalled member removed after s | result |\n" +
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
    foreach (var members in options.BurstMembers)
    {
        Console.Error.WriteLine($"burst: {options.BurstMessages} lines of 60 bytes from 1 flooder, {members} reading members, 1 member that never reads (limit {options.PhaseLimit.TotalSeconds:N0} s)");
        var result = await Burst.RunAsync(options, members);
        bursts.Add(result);

        // Printed at once too: a later run that fails or hangs does not lose this one.
        Console.Error.WriteLine(Row(result));
    }

    Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
        $"server `tcpmsg serve --chat` ({options.Durability} durability, {(options.ChatQueue is { } q ? $"--chat-queue {q}" : "default window")}), clients in one other process; every member a raw socket.");
    Console.WriteLine();
    Console.WriteLine(Header);
    foreach (var b in bursts)
    {
        Console.WriteLine(Row(b));
    }

    return bursts.Any(b => b.Failure is not null) ? 1 : 0;
}

var results = new List<PhaseResult>();
Console.Error.WriteLine($"plain ingest: {options.Messages} messages from {options.Senders} raw senders");
results.Add(await Phases.PlainIngestAsync(options));
Console.Error.WriteLine($"fan-out: {options.Messages} messages to {options.Members} members");
results.Add(await Phases.FanOutAsync(options, options.Messages, null, "chat fan-out, saturated"));
var paced = options.PacedRate * options.PacedSeconds;
Console.Error.WriteLine($"fan-out paced: {options.PacedRate}/s for {options.PacedSeconds} s to {options.Members} members");
results.Add(await Phases.FanOutAsync(options, paced, options.PacedRate, $"chat fan-out, paced {options.PacedRate}/s"));

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; " +
    $"server `tcpmsg serve` ({options.Durability} durability), clients in one other process; {options.Size}-byte messages, " +
    $"{options.Senders} senders; half the members raw sockets reading lines, half `ChatClient`.");
Console.WriteLine();
Console.WriteLine("| phase | members | messages | seconds | ingest msg/s | delivered msg/s | p50 ms | p99 ms | max ms | server CPU s | clients CPU s | server RSS end / peak MiB | slow disconnects |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var r in results)
{
    Console.WriteLine($"| {r.Name} | {r.Members} | {r.Messages:N0} | {F(r.Seconds, "N2")} | {F(r.IngestPerSecond)} | {F(r.DeliveriesPerSecond)} | " +
        $"{F(r.LatencyMs.P50, "N1")} | {F(r.LatencyMs.P99, "N1")} | {F(r.LatencyMs.Max, "N1")} | {F(r.ServerCpuSeconds, "N2")} | {F(r.ClientCpuSeconds, "N2")} | " +
        $"{F(r.ServerMemoryMib.Now, "N0")} / {F(r.ServerMemoryMib.Peak, "N0")} | {r.SlowDisconnects} |");
}

return 0;
