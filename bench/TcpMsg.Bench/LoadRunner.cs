using System.Globalization;
using System.Text.Json;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;
using TcpMsg.Bench.Report;
using TcpMsg.Bench.Scenarios;

namespace TcpMsg.Bench;

/// <summary>
/// Runs every scenario against every peer, <c>runs</c> times, each against a freshly started peer,
/// with the peer order rotated between runs; then reports medians.
/// </summary>
internal sealed class LoadRunner
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    private readonly LoadOptions _options;
    private readonly TextWriter _log;

    public LoadRunner(LoadOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    public async Task<int> RunAsync()
    {
        var scenarios = ScenarioTable.For(_options.Scale)
            .Where(s => _options.Scenarios is null || _options.Scenarios.Contains(s.Name, StringComparer.OrdinalIgnoreCase))
            .ToList();
        var peers = SelectPeers();
        if (scenarios.Count == 0 || peers.Count == 0)
        {
            _log.WriteLine("nothing to run: no scenario or no available peer selected");
            return 2;
        }

        var work = _options.WorkDirectory ?? Directory.CreateTempSubdirectory("tcpmsg-bench-").FullName;
        var results = new List<ScenarioResult>();
        for (var run = 1; run <= _options.EffectiveRuns; run++)
        {
            foreach (var scenario in scenarios)
            {
                // Rotate the order so that no peer always runs first (or right after a heavy one).
                foreach (var peer in peers.Skip(run % peers.Count).Concat(peers.Take(run % peers.Count)).Where(scenario.Runs))
                {
                    results.Add(await RunOneAsync(scenario, peer, run, cold: false, Path.Combine(work, Slug($"{run}-{scenario.Name}-{peer.Name}"))));
                    if (_options.Cold && scenario.HasWarmup)
                    {
                        // Its own fresh peer: nothing of the warm run's JIT or pools carries over.
                        results.Add(await RunOneAsync(scenario, peer, run, cold: true, Path.Combine(work, Slug($"{run}-{scenario.ColdName}-{peer.Name}"))));
                    }
                }
            }
        }

        var summaries = scenarios
            .SelectMany(s => peers.Where(s.Runs).Select(p => Summary.Of(s, s.Name, p.Name, [.. results.Where(r => r.Scenario == s.Name && r.Peer == p.Name)])))
            .ToList();
        summaries.AddRange(scenarios
            .Where(s => _options.Cold && s.HasWarmup)
            .SelectMany(s => peers.Where(s.Runs).Select(p => Summary.Of(s, s.ColdName, p.Name, [.. results.Where(r => r.Scenario == s.ColdName && r.Peer == p.Name)]))));
        var markdown = MarkdownReport.Write(scenarios, peers, summaries, _options.EffectiveRuns);
        _log.WriteLine();
        _log.WriteLine(markdown);
        if (_options.Markdown is not null)
        {
            File.WriteAllText(_options.Markdown, markdown);
        }

        if (_options.Json is not null)
        {
            File.WriteAllText(_options.Json, JsonSerializer.Serialize(new { summaries, results }, s_json));
        }

        if (_options.WorkDirectory is null && !_options.Keep)
        {
            Directory.Delete(work, recursive: true);
        }

        // The bench fails when tcpmsg (or the floor, which checks the harness) failed; other peers' failures are findings.
        return summaries.Where(s => s.Peer.StartsWith("tcpmsg", StringComparison.Ordinal) || s.Peer == "bare").All(s => s.Passed) ? 0 : 1;
    }

    private List<Peer> SelectPeers()
    {
        var tcpmsg = _options.TcpMsg ?? DefaultTcpMsg();
        var peers = new List<Peer>();
        foreach (var peer in PeerTable.All(tcpmsg, _options.TcpMsgAot))
        {
            if (_options.Peers is not null && !_options.Peers.Contains(peer.Name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (peer.Unavailable() is { } reason)
            {
                _log.WriteLine($"skipping peer {peer.Name}: {reason}");
                continue;
            }

            peers.Add(peer);
        }

        return peers;
    }

    private async Task<ScenarioResult> RunOneAsync(Scenario scenario, Peer peer, int run, bool cold, string directory)
    {
        Directory.CreateDirectory(directory);
        ScenarioResult result;
        try
        {
            using var running = scenario.Configure(peer).Start(ProcessInfo.FreePort(), directory);
            running.WaitUntilListening();
            var context = new ScenarioContext
            {
                Peer = running,
                Deadline = Deadline.After(_options.EffectiveTimeout),
                Log = _log,
                Run = run,
                Warmup = _options.Warmup,
                Cold = cold,
            };
            result = await scenario.RunAsync(context).ConfigureAwait(false);
            if (!result.Passed && running.ReadError() is { Length: > 0 } stderr)
            {
                result.Error = (result.Error ?? result.Verification?.ToString()) + $"; {peer.Name} stderr: {stderr}";
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            result = new ScenarioResult { Scenario = cold ? scenario.ColdName : scenario.Name, Peer = peer.Name, Run = run, Error = ex.Message };
        }

        _log.WriteLine(Describe(result));
        if (result.Passed && !_options.Keep)
        {
            Directory.Delete(directory, recursive: true);
        }

        return result;
    }

    private static string Describe(ScenarioResult result)
    {
        var figures = string.Join(", ", result.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.###}")));
        var rate = string.Create(CultureInfo.InvariantCulture, $"{result.MessagesPerSecond:N0} msg/s, {result.MegabytesPerSecond:N1} MB/s in {result.Seconds:0.###} s");
        var verdict = result.Passed ? $"ok ({result.Verification})" : $"FAILED: {result.Error ?? result.Verification?.ToString()}";
        return $"[run {result.Run}] {result.Scenario} × {result.Peer}: {rate}{(figures.Length > 0 ? "; " + figures : string.Empty)}; {verdict}";
    }

    private static string Slug(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));

    private static string DefaultTcpMsg()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "tcpmsg.slnx")))
        {
            directory = directory.Parent;
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Release";
        return Path.Combine(directory?.FullName ?? ".", "src", "TcpMsg.Cli", "bin", configuration, "net10.0", "TcpMsg.Cli.dll");
    }
}
