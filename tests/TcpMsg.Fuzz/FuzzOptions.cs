using System.Globalization;

namespace TcpMsg.Fuzz;

/// <summary>The campaign's settings, from the command line.</summary>
public sealed record FuzzOptions
{
    /// <summary>Inputs per target.</summary>
    public long Iterations { get; init; } = 1_000_000;

    public int Seed { get; init; } = 20_231_125;

    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>One input taking longer than this is a failure (a decoder must be linear in its input).</summary>
    public TimeSpan InputTimeLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An input still running after this is a hang: the watchdog reports it and ends the process.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxFailures { get; init; } = 20;

    public string? Target { get; init; }

    public string FailureDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "tcpmsg-fuzz-failures");

    public static bool TryParse(string[] args, out FuzzOptions options, out string? error)
    {
        options = new FuzzOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--iterations" when long.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0:
                    options = options with { Iterations = n };
                    break;
                case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    break;
                case "--workers" when int.TryParse(value, CultureInfo.InvariantCulture, out var workers) && workers > 0:
                    options = options with { Workers = workers };
                    break;
                case "--target" when value is not null:
                    options = options with { Target = value };
                    break;
                case "--failures" when value is not null:
                    options = options with { FailureDirectory = value };
                    break;
                default:
                    error = $"unknown or incomplete option '{args[i]}'; use --iterations N, --seed N, --workers N, --target NAME, --failures DIR";
                    return false;
            }

            i++;
        }

        return true;
    }
}
