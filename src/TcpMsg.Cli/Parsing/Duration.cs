using System.Globalization;

namespace TcpMsg.Cli.Parsing;

/// <summary>Parses durations such as <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, or a bare number of seconds.</summary>
internal static class Duration
{
    /// <summary>Parses <paramref name="text"/>; with <paramref name="allowInfinite"/>, <c>0</c>, <c>none</c>, <c>off</c> and <c>infinite</c> mean no limit.</summary>
    public static bool TryParse(string text, bool allowInfinite, out TimeSpan duration, out string? error)
    {
        duration = default;
        error = null;
        var s = text.Trim().ToLowerInvariant();
        if (allowInfinite && s is "0" or "none" or "off" or "infinite" or "never")
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return Check(TimeSpan.FromSeconds(seconds), text, out duration, out error);
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            if (start == unitStart || !double.TryParse(s.AsSpan(start, unitStart - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = Localization.Strings.Current.Format("Parse_NotDuration", text);
                return false;
            }

            TimeSpan? part = s[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" or "sec" => TimeSpan.FromSeconds(number),
                "m" or "min" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                _ => null,
            };
            if (part is null)
            {
                error = Localization.Strings.Current.Format("Parse_DurationUnit", text, s[unitStart..i].ToString());
                return false;
            }

            total += part.Value;
        }

        return Check(total, text, out duration, out error);
    }

    private static bool Check(TimeSpan value, string text, out TimeSpan duration, out string? error)
    {
        duration = value;
        error = value > TimeSpan.Zero ? null : Localization.Strings.Current.Format("Parse_DurationNotPositive", text);
        return error is null;
    }
}
