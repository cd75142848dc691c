using System.Globalization;

namespace TcpMsg.Cli.Parsing;

/// <summary>Parses a point in time: ISO-8601 (<c>2026-11-25T08:00:00Z</c>, <c>2026-11-25</c>; UTC unless an offset is given) or a duration ago (<c>10m</c>, <c>2h</c>).</summary>
internal static class TimeArgument
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time, out string? error)
    {
        error = null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }

        if (Duration.TryParse(text, allowInfinite: false, out var ago, out _))
        {
            time = now - ago;
            return true;
        }

        error = Localization.Strings.Current.Format("Parse_NotTime", text);
        return false;
    }
}
