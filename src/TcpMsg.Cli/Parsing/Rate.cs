using System.Globalization;

namespace TcpMsg.Cli.Parsing;

/// <summary>Parses message rates: <c>1000/s</c>, <c>60/m</c>, <c>3600/h</c>, or a bare number per second.</summary>
internal static class Rate
{
    public static bool TryParse(string text, out double perSecond, out string? error)
    {
        perSecond = 0;
        error = null;
        var s = text.Trim().ToLowerInvariant();
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        var number = slash < 0 ? s : s[..slash];
        double? seconds = slash < 0 ? 1 : s[(slash + 1)..] switch
        {
            "s" or "sec" or "second" => 1,
            "m" or "min" or "minute" => 60,
            "h" or "hour" => 3600,
            _ => null,
        };
        if (seconds is null)
        {
            error = Localization.Strings.Current.Format("Parse_RateUnit", text);
            return false;
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) || !(count > 0) || double.IsInfinity(count))
        {
            error = Localization.Strings.Current.Format("Parse_NotRate", text);
            return false;
        }

        perSecond = count / seconds.Value;
        return true;
    }
}
