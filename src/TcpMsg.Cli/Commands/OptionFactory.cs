using System.CommandLine;
using TcpMsg.Cli.Parsing;

namespace TcpMsg.Cli.Commands;

/// <summary>Options whose values need parsing beyond what System.CommandLine does: sizes and durations.</summary>
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
}
