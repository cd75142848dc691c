using System.Globalization;
using TcpMsg.Bench.Scenarios;

namespace TcpMsg.Bench;

/// <summary>The load harness's command line: <c>TcpMsg.Bench load [options]</c>.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        usage: TcpMsg.Bench load [options]
          --scale full|quick|smoke   the issue's sizes, a quick development run, or a smoke run (default full)
          --runs N                   runs of every scenario against every peer; medians are reported (default 3 full, 1 otherwise)
          --peers a,b                peers to run (default: all available): tcpmsg, tcpmsg-aot, rsyslog, ncat, bare
          --scenarios a,b            scenarios to run (default all): churn, large, streams, big lines, idle, latency, confirmed ×1, confirmed ×16, confirmed latency, stress
          --tcpmsg PATH              TcpMsg.Cli.dll (run with dotnet) or a tcpmsg binary (default: the Release build)
          --tcpmsg-aot PATH          also run this NativeAOT tcpmsg, as peer tcpmsg-aot
          --work-dir DIR             where peers write (default: a new directory under /tmp)
          --markdown FILE            write the tables there
          --json FILE                write every result there
          --timeout SECONDS          bound of one scenario run (default 300 full, 120 quick, 60 smoke)
          --keep                     keep the peers' output files
          --warmup SECONDS           warm each peer up this long before a timed load (default 2 full, 1 quick, 0 smoke)
          --cold / --no-cold         also run each scenario with a warm-up cold, on a fresh peer without one (default: on, off for smoke)
        Exit code 0 when every run of tcpmsg and of the bare receiver verified, 1 when one did not, 2 on bad usage.
        """;

    public Scale Scale { get; init; } = Scale.Full;

    public int? Runs { get; init; }

    public IReadOnlyList<string>? Peers { get; init; }

    public IReadOnlyList<string>? Scenarios { get; init; }

    public string? TcpMsg { get; init; }

    public string? TcpMsgAot { get; init; }

    public string? WorkDirectory { get; init; }

    public string? Markdown { get; init; }

    public string? Json { get; init; }

    public TimeSpan? Timeout { get; init; }

    public bool Keep { get; init; }

    /// <summary>
    /// Before each timed load, the peer is warmed up this long: a server runs for a long time, so its
    /// one-time costs (JIT tiers, pools) do not belong in a figure measured over seconds.
    /// </summary>
    public TimeSpan Warmup => WarmupOverride ?? TimeSpan.FromSeconds(Scale switch
    {
        Scale.Full => 2,
        Scale.Quick => 1,
        _ => 0,
    });

    public TimeSpan? WarmupOverride { get; init; }

    /// <summary>Whether scenarios with a warm-up are also run cold (<see cref="ScenarioContext.Cold"/>).</summary>
    public bool Cold => ColdOverride ?? Scale != Scale.Smoke;

    public bool? ColdOverride { get; init; }

    public int EffectiveRuns => Runs ?? (Scale == Scale.Full ? 3 : 1);

    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(Scale switch
    {
        Scale.Full => 300,
        Scale.Quick => 120,
        _ => 60,
    });

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static IReadOnlyList<string> List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            options = args[i] switch
            {
                "--scale" => options with { Scale = Enum.Parse<Scale>(Value(), ignoreCase: true) },
                "--quick" => options with { Scale = Scale.Quick },
                "--smoke" => options with { Scale = Scale.Smoke },
                "--runs" => options with { Runs = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--peers" => options with { Peers = List(Value()) },
                "--scenarios" => options with { Scenarios = List(Value()) },
                "--tcpmsg" => options with { TcpMsg = Value() },
                "--tcpmsg-aot" => options with { TcpMsgAot = Value() },
                "--work-dir" => options with { WorkDirectory = Value() },
                "--markdown" => options with { Markdown = Value() },
                "--json" => options with { Json = Value() },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--keep" => options with { Keep = true },
                "--cold" => options with { ColdOverride = true },
                "--no-cold" => options with { ColdOverride = false },
                "--warmup" => options with { WarmupOverride = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }

        return options;
    }
}
