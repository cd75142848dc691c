using System.Globalization;

namespace TcpMsg.Cli.Parsing;

/// <summary>Parses sizes such as <c>1048576</c>, <c>64KiB</c>, <c>4MiB</c>, <c>1M</c>, <c>500kB</c>.</summary>
internal static class ByteSize
{
    /// <summary>
    /// Binary units: K, KiB, M, MiB, G, GiB (powers of 1024). Decimal units: kB, KB, MB, GB (powers of 1000).
    /// A bare number is bytes; B is allowed.
    /// </summary>
    public static bool TryParse(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var s = text.Trim();
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !decimal.TryParse(s.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = Localization.Strings.Current.Format("Parse_NotSize", text);
            return false;
        }

        long? multiplier = s[split..].Trim() switch
        {
            "" or "B" or "b" => 1,
            "K" or "k" or "KiB" or "kiB" => 1L << 10,
            "M" or "m" or "MiB" => 1L << 20,
            "G" or "g" or "GiB" => 1L << 30,
            "kB" or "KB" => 1000,
            "MB" => 1000 * 1000,
            "GB" => 1000 * 1000 * 1000,
            _ => null,
        };
        if (multiplier is null)
        {
            error = Localization.Strings.Current.Format("Parse_SizeUnit", text);
            return false;
        }

        var value = number * multiplier.Value;
        if (value < 1 || value > long.MaxValue || value != decimal.Truncate(value))
        {
            error = Localization.Strings.Current.Format("Parse_SizeNotPositive", text);
            return false;
        }

        bytes = (long)value;
        return true;
    }
}
