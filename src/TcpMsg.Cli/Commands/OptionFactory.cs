using System.CommandLine;
using System.Globalization;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Parsing;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// Options whose values need parsing beyond what System.CommandLine does: sizes, durations, numbers
/// and choices. Each parses its own text, so a bad value is one line naming the option, never a
/// .NET type name or an exception.
/// </summary>
internal static class OptionFactory
{
    public static Option<long> Size(string name, long defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "SIZE",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (ByteSize.TryParse(text, out var bytes, out var error))
            {
                return bytes;
            }

            result.AddError($"{name}: {error}");
            return 0;
        },
    };

    public static Option<TimeSpan> Duration(string name, TimeSpan defaultValue, bool allowInfinite, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (Parsing.Duration.TryParse(text, allowInfinite, out var duration, out var error))
            {
                return duration;
            }

            result.AddError($"{name}: {error}");
            return TimeSpan.Zero;
        },
    };

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Integer(string name, int defaultValue, int min, int max, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInteger(result, name, min, max) ?? 0,
    };

    /// <summary>A whole number that may be left out (null when not given).</summary>
    public static Option<int?> OptionalInteger(string name, int min, int max, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => ParseInteger(result, name, min, max),
    };

    /// <summary>One of an enum's values, written and accepted in lower case (<c>lines</c>, <c>whole</c>).</summary>
    public static Option<T> Choice<T>(string name, T defaultValue, string description)
        where T : struct, Enum
    {
        var names = Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = string.Join('|', names),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text.FirstOrDefault()))
                {
                    return value;
                }

                result.AddError($"{name}: {Strings.Current.Format("Parse_NotOneOf", text, string.Join(", ", names))}");
                return defaultValue;
            },
        };
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>The text of an enum value as the command line writes it.</summary>
    public static string ChoiceText<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static int? ParseInteger(System.CommandLine.Parsing.ArgumentResult result, string name, int min, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name}: {Strings.Current.Format("Parse_NotWholeNumber", text)}");
            return null;
        }

        if (value < min || value > max)
        {
            result.AddError(max == int.MaxValue ? Strings.Current.Format("Parse_AtLeast", name, min) : Strings.Current.Format("Parse_Between", name, min, max));
            return null;
        }

        return value;
    }
}
