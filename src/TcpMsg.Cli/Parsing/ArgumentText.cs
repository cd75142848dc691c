using System.Globalization;

namespace TcpMsg.Cli.Parsing;

/// <summary>
/// Values written as a user would type them on the command line (<c>1MiB</c>, <c>5m</c>, <c>lines</c>):
/// how help shows a default, so it reads in the same format the option accepts.
/// </summary>
internal static class ArgumentText
{
    public static string Size(long bytes) => bytes switch
    {
        > 0 when bytes % (1L << 30) == 0 => Invariant($"{bytes >> 30}GiB"),
        > 0 when bytes % (1L << 20) == 0 => Invariant($"{bytes >> 20}MiB"),
        > 0 when bytes % (1L << 10) == 0 => Invariant($"{bytes >> 10}KiB"),
        _ => Invariant($"{bytes}"),
    };

    public static string Duration(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan)
        {
            return "never";
        }

        (double Unit, string Name)[] units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")];
        var milliseconds = duration.TotalMilliseconds;
        foreach (var (unit, name) in units)
        {
            if (milliseconds >= unit && milliseconds % unit == 0)
            {
                return Invariant($"{milliseconds / unit}{name}");
            }
        }

        return Invariant($"{milliseconds}ms");
    }

    /// <summary>Any default value: sizes and durations as above, enums in lower case, the rest as text.</summary>
    public static string? Of(object? value, bool isSize) => value switch
    {
        null => null,
        bool => null,
        long bytes when isSize => Size(bytes),
        TimeSpan duration => Duration(duration),
        Enum choice => choice.ToString().ToLowerInvariant(),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
