using System.Globalization;

namespace TcpMsg.Cli.Output;

/// <summary>Sizes and durations as people read them.</summary>
internal static class Units
{
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => Invariant($"{bytes >> 30} GiB"),
        >= 1L << 20 when bytes % (1L << 20) == 0 => Invariant($"{bytes >> 20} MiB"),
        >= 1L << 10 when bytes % (1L << 10) == 0 => Invariant($"{bytes >> 10} KiB"),
        _ => Invariant($"{bytes} bytes"),
    };

    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => Invariant($"{duration.TotalMicroseconds:0} µs"),
        < 1000 => Invariant($"{duration.TotalMilliseconds:0.#} ms"),
        < 60_000 => Invariant($"{duration.TotalSeconds:0.##} s"),
        < 3_600_000 => Invariant($"{(int)duration.TotalMinutes} min {duration.Seconds} s"),
        _ => Invariant($"{(int)duration.TotalHours} h {duration.Minutes} min"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
