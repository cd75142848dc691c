using System.Globalization;
using System.Text;
using TcpMsg.Bench.Peers;
using TcpMsg.Bench.Scenarios;

namespace TcpMsg.Bench.Report;

/// <summary>The results as markdown tables: throughput with ratios to rsyslog and to the bare receiver, then latency and idle.</summary>
internal static class MarkdownReport
{
    private const string Rsyslog = "rsyslog";
    private const string Bare = "bare";

    // The stress scenario's stalled connections, in the order of its table.
    private static readonly string[] s_stallKinds = ["dribble", "garbage", "preamble", "silent"];

    public static string Write(IReadOnlyList<Scenario> scenarios, IReadOnlyList<Peer> peers, IReadOnlyList<Summary> summaries, int runs)
    {
        var text = new StringBuilder();
        Line(text, $"Medians of {runs} run(s). A run whose output lost, duplicated or damaged any message is a failure (FAIL), not a number.");
        Line(text, "Ratios compare medians from this same run: above 1 is faster than rsyslog; the bare receiver is the floor (it only counts bytes).");
        Line(text, string.Empty);
        Line(text, "Peer CPU µs/msg is the CPU time (user + system, all threads, from /proc) the peer used per message in the timed load: unlike messages/s, hardly moved by other load on the machine.");
        Line(text, string.Empty);
        if (summaries.Any(s => s.Scenario.EndsWith(", cold", StringComparison.Ordinal)))
        {
            Line(text, "A row \"…, cold\" is the same scenario on another freshly started peer without any warm-up: the timed load is the first the peer sees, as a user's server meets its first clients (JIT, pools and caches included). Its ratios compare cold runs with cold runs.");
            Line(text, string.Empty);
        }

        Line(text, "Peer GCs are the garbage collections (gen0/gen1/gen2) of a .NET peer during the timed load, from the runtime's own events (EventPipe); – for a peer without them.");
        Line(text, string.Empty);
        Line(text, "| scenario | peer | messages/s | MB/s | × rsyslog | × bare | intact % | peer CPU µs/msg | peer GCs |");
        Line(text, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var scenario in scenarios.Where(s => s.IsThroughput))
        {
            // The warm rows, then the cold ones (a fresh peer, no warm-up), whose ratios compare cold with cold.
            foreach (var summary in summaries.Where(s => s.Scenario == scenario.Name || s.Scenario == scenario.ColdName))
            {
                var rate = summary.Passed ? Number(summary.MessagesPerSecond) : $"FAIL ({Number(summary.MessagesPerSecond)})";
                var megabytes = summary.Passed ? Number(summary.MegabytesPerSecond, 1) : "–";
                Line(text, $"| {summary.Scenario} | {summary.Peer} | {rate} | {megabytes} | {Ratio(summaries, summary, Rsyslog)} | {Ratio(summaries, summary, Bare)} | {Number(summary.IntactPercent, 2)} | {Cell(summary, "cpu_us_per_message", 2)} | {Collections(summary)} |");
            }
        }

        WriteLatency(text, scenarios, summaries);
        WriteIdle(text, scenarios, summaries);
        WriteStress(text, scenarios, peers, summaries);
        WriteFailures(text, summaries);
        Line(text, string.Empty);
        Line(text, "Scenarios:");
        Line(text, string.Empty);
        foreach (var scenario in scenarios)
        {
            Line(text, $"- {scenario.Name}: {scenario.Summary}.");
        }

        Line(text, string.Empty);
        Line(text, "Peers (each on its own loopback port, output to its own file, started fresh for every scenario run):");
        Line(text, string.Empty);
        foreach (var peer in peers)
        {
            Line(text, $"- {peer.Name}: `{peer.Describe(0)}`");
        }

        return text.ToString();
    }

    private static string Collections(Summary summary) =>
        summary.Metrics.ContainsKey("gc_gen0")
            ? $"{Cell(summary, "gc_gen0", 0)}/{Cell(summary, "gc_gen1", 0)}/{Cell(summary, "gc_gen2", 0)}"
            : "–";

    private static void WriteLatency(StringBuilder text, IReadOnlyList<Scenario> scenarios, IReadOnlyList<Summary> summaries)
    {
        foreach (var scenario in scenarios.Where(s => s.IsLatency))
        {
            Line(text, string.Empty);
            Line(text, $"Latency ({scenario.Name}): {scenario.Summary}; milliseconds.");
            Line(text, string.Empty);
            Line(text, "| peer | p50 ms | p99 ms | p99.9 ms | p99 × rsyslog | intact % |");
            Line(text, "| --- | ---: | ---: | ---: | ---: | ---: |");
            var rsyslog = summaries.FirstOrDefault(s => s.Scenario == scenario.Name && s.Peer == Rsyslog);
            foreach (var summary in summaries.Where(s => s.Scenario == scenario.Name))
            {
                var ratio = rsyslog is { Passed: true } && summary.Passed
                    ? Number(Metric(summary, "p99_ms") / Metric(rsyslog, "p99_ms"), 2)
                    : "–";
                Line(text, $"| {summary.Peer} | {Cell(summary, "p50_ms", 3)} | {Cell(summary, "p99_ms", 3)} | {Cell(summary, "p999_ms", 3)} | {ratio} | {Number(summary.IntactPercent, 2)} |");
            }
        }
    }

    private static void WriteIdle(StringBuilder text, IReadOnlyList<Scenario> scenarios, IReadOnlyList<Summary> summaries)
    {
        foreach (var scenario in scenarios.OfType<IdleScenario>())
        {
            Line(text, string.Empty);
            Line(text, $"Idle connections ({scenario.Name}): peer RSS growth per held connection; a new client's message, connect -> output.");
            Line(text, string.Empty);
            Line(text, "| peer | connections | RSS before MiB | RSS after MiB | KiB per connection | new client ms | intact % |");
            Line(text, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var summary in summaries.Where(s => s.Scenario == scenario.Name))
            {
                Line(text, $"| {summary.Peer}{(summary.Passed ? string.Empty : " (FAIL)")} | {Cell(summary, "connections", 0)} | {Number(Metric(summary, "rss_before_kib") / 1024, 1)} | {Number(Metric(summary, "rss_after_kib") / 1024, 1)} | {Cell(summary, "rss_kib_per_connection", 2)} | {Cell(summary, "new_client_ms", 2)} | {Number(summary.IntactPercent, 2)} |");
            }
        }
    }

    private static void WriteStress(StringBuilder text, IReadOnlyList<Scenario> scenarios, IReadOnlyList<Peer> peers, IReadOnlyList<Summary> summaries)
    {
        foreach (var scenario in scenarios.OfType<StressScenario>())
        {
            Line(text, string.Empty);
            Line(text, $"Under attack ({scenario.Name}): the legitimate client's send -> ack (stored) latency, idle server vs. under attack, milliseconds; what the server held and closed.");
            Line(text, $"The server's limits in this scenario: `{string.Join(' ', scenario.Limits)}`.");
            Line(text, string.Empty);
            Line(text, "| peer | idle p50 | idle p99 | attack p50 | attack p99 | attack p99.9 | p99 × idle | legit stored | stalled open (min) | closed by the server after (median s): slow-loris / TLS bytes / no HELLO / silent | flood msgs/s | flood connections refused | peak RSS MiB |");
            Line(text, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var summary in summaries.Where(s => s.Scenario == scenario.Name))
            {
                var closed = string.Join(" / ", s_stallKinds.Select(kind =>
                    $"{Cell(summary, $"stalled_{kind}_closed", 0)} ({Cell(summary, $"stalled_{kind}_held_s", 1)})"));
                Line(text, $"| {summary.Peer}{(summary.Passed ? string.Empty : " (FAIL)")} | {Cell(summary, "idle_p50_ms", 3)} | {Cell(summary, "idle_p99_ms", 3)} | {Cell(summary, "attack_p50_ms", 3)} | {Cell(summary, "attack_p99_ms", 3)} | {Cell(summary, "attack_p999_ms", 3)} | {Cell(summary, "p99_ratio", 2)} | {Cell(summary, "legit_in_store", 0)} | {Cell(summary, "stalled_open_min", 0)} | {closed} | {Cell(summary, "flood_delivered_per_s", 0)} | {Cell(summary, "flood_refused", 0)} | {Number(Metric(summary, "rss_attack_peak_kib") / 1024, 1)} |");
            }

            foreach (var peer in peers.Where(p => !scenario.Supports(p)))
            {
                Line(text, $"| {peer.Name} | not run: {StressScenario.NotApplicable(peer)} ||||||||||||");
            }
        }
    }

    private static void WriteFailures(StringBuilder text, IReadOnlyList<Summary> summaries)
    {
        var failed = summaries.Where(s => !s.Passed).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        Line(text, string.Empty);
        Line(text, "Failures:");
        Line(text, string.Empty);
        foreach (var summary in failed)
        {
            Line(text, $"- {summary.Scenario} × {summary.Peer}: {string.Join("; ", summary.Failures)}");
        }
    }

    private static string Ratio(IReadOnlyList<Summary> summaries, Summary summary, string reference)
    {
        var baseline = summaries.FirstOrDefault(s => s.Scenario == summary.Scenario && s.Peer == reference);
        return baseline is { Passed: true, MessagesPerSecond: > 0 } && summary.Passed
            ? Number(summary.MessagesPerSecond / baseline.MessagesPerSecond, 2)
            : "–";
    }

    private static double Metric(Summary summary, string key) => summary.Metrics.GetValueOrDefault(key, double.NaN);

    private static string Cell(Summary summary, string key, int decimals) => Number(Metric(summary, key), decimals);

    private static string Number(double value, int decimals = 0) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
