using System.CommandLine;
using System.CommandLine.Parsing;

namespace TcpMsg.Cli.Parsing;

/// <summary>
/// For validators of option combinations: whether an option was given on the command line. One
/// whose value does not parse counts as not given: that is its own error, and the one to report.
/// </summary>
internal static class OptionGiven
{
    /// <summary>True when <paramref name="option"/> was given, with a value of its kind.</summary>
    public static bool Any(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false } given && Converts(given);

    /// <summary>True when the flag <paramref name="option"/> was given and not as <c>false</c>.</summary>
    public static bool On(CommandResult result, Option<bool> option) =>
        result.GetResult(option) is { Implicit: false } given
        && (given.Tokens.Count == 0 || !bool.TryParse(given.Tokens[0].Value, out var value) || value);

    private static bool Converts(OptionResult given)
    {
        try
        {
            _ = given.GetValueOrDefault<object?>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
