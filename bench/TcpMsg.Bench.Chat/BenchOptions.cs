using System.Globalization;

namespace TcpMsg.Bench.Chat;

/// <summary>The run's sizes; every load is bounded in count and in time.</summary>
internal sealed record BenchOptions
{
    public int Members { get; init; } = 100;

    public int Senders { get; init; } = 4;

    /// <summary>Messages in the saturated fan-out and in the plain ingest.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>Bytes of each message's text.</summary>
    public int Size { get; init; } = 100;

    /// <summary>Messages per second in the paced run (latency below saturation).</summary>
    public int PacedRate { get; init; } = 1_000;

    public int PacedSeconds { get; init; } = 5;

    public string Durability { get; init; } = "fsync";

    /// <summary>fanout (plain ingest, the room saturated and paced) or burst (issue #14: a flood past readers and a member that never reads).</summary>
    public string Scenario { get; init; } = "fanout";

    /// <summary>Lines the flooder sends in the burst.</summary>
    public int BurstMessages { get; init; } = 100_000;

    /// <summary>Reading members in each burst run.</summary>
    public int[] BurstMembers { get; init; } = [10, 100];

    /// <summary>No phase may take longer than this; past it the run fails, and reports what it measured until then.</summary>
    public TimeSpan PhaseLimit { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The burst server's <c>--chat-queue</c> (its in-memory window); null for the default.</summary>
    public int? ChatQueue { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--members" => options with { Members = Int(value) },
                "--senders" => options with { Senders = Int(value) },
                "--messages" => options with { Messages = Int(value) },
                "--size" => options with { Size = Int(value) },
                "--paced-rate" => options with { PacedRate = Int(value) },
                "--paced-seconds" => options with { PacedSeconds = Int(value) },
                "--durability" => options with { Durability = value },
                "--scenario" => options with { Scenario = value is "fanout" or "burst" ? value : throw new ArgumentException("--scenario is fanout or burst") },
                "--burst-messages" => options with { BurstMessages = Int(value) },
                "--burst-members" => options with { BurstMembers = [.. value.Split(',').Select(Int)] },
                "--chat-queue" => options with { ChatQueue = Int(value) },
                "--phase-limit" => options with { PhaseLimit = TimeSpan.FromSeconds(Int(value)) },
                _ => throw new ArgumentException($"unknown option {args[i]} (--members --senders --messages --size --paced-rate --paced-seconds --durability --scenario --burst-messages --burst-members --chat-queue --phase-limit SECONDS)"),
            };
        }

        return options;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
