using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Parsing;

namespace TcpMsg.Cli;

/// <summary>
/// Turns what is wrong with a command line into one line for a person: an unknown option or command
/// with a did-you-mean, or the first parse error, never a .NET type name.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The line to print, or null when the command line is fine.</summary>
    public static string? Describe(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var path = CommandPath(parseResult.CommandResult);
        var words = Strings.Current;
        var help = words.Format("Usage_SeeHelp", path);
        if (UnknownOptionTaken(parseResult) is { } dashed)
        {
            return $"{path}: {UnknownOption(dashed, parseResult.CommandResult)}; {help}";
        }

        if (parseResult.UnmatchedTokens.Count > 0)
        {
            var token = parseResult.UnmatchedTokens[0];
            if (IsOptionLike(token))
            {
                return $"{path}: {UnknownOption(token, parseResult.CommandResult)}; {help}";
            }

            if (parseResult.CommandResult.Parent is null)
            {
                var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
                return $"{path}: {words.Format("Usage_UnknownCommand", token)}{DidYouMean(token, names)}; {help}";
            }

            return $"{path}: {words.Format("Usage_UnexpectedArgument", token)}; {help}";
        }

        if (parseResult.Errors.Count == 0)
        {
            return null;
        }

        if (parseResult.CommandResult.Parent is null && command.Subcommands.Count > 0 && parseResult.Errors.Count > 0)
        {
            var names = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            return $"{path}: {words.Format("Usage_CommandNeeded", names)}; {help}";
        }

        // An option's bad value first: it is what the user typed; a missing argument may follow from it.
        var error = parseResult.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult or ArgumentResult { Parent: OptionResult }) ?? parseResult.Errors[0];
        if (error.SymbolResult is OptionResult { Tokens.Count: 0, Option: var bare })
        {
            return $"{path}: {words.Format("Usage_NeedsValue", bare.Name)}; {help}";
        }

        var missing = command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && parseResult.GetResult(a) is not { Tokens.Count: > 0 });
        if (missing is not null && error.SymbolResult is not OptionResult and not ArgumentResult { Parent: OptionResult })
        {
            return $"{path}: {words.Format("Usage_Missing", missing.Name)}; {help}";
        }

        return $"{path}: {Clean(error.Message)}; {help}";
    }

    /// <summary>
    /// A token such as <c>--retries</c> that no option matched and a positional argument swallowed
    /// (System.CommandLine gives an argument any token): an unknown option, unless it came after <c>--</c>.
    /// </summary>
    private static string? UnknownOptionTaken(ParseResult parseResult)
    {
        var doubleDash = -1;
        for (var i = 0; i < parseResult.Tokens.Count; i++)
        {
            if (parseResult.Tokens[i].Type == TokenType.DoubleDash)
            {
                doubleDash = i;
                break;
            }
        }

        foreach (var argument in parseResult.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                var position = IndexOf(parseResult.Tokens, token);
                if (IsOptionLike(token.Value) && (doubleDash < 0 || position < doubleDash))
                {
                    return token.Value;
                }
            }
        }

        return null;
    }

    private static string UnknownOption(string token, CommandResult commandResult)
    {
        var name = token.Split('=', 2)[0];
        var known = new List<string>();
        for (SymbolResult? result = commandResult; result is CommandResult current; result = current.Parent)
        {
            foreach (var option in current.Command.Options.Where(o => !o.Hidden && (ReferenceEquals(current, commandResult) || o.Recursive)))
            {
                known.Add(option.Name);
                known.AddRange(option.Aliases);
            }
        }

        var hint = DidYouMean(name, known);
        if (hint.Length == 0 && name is "-p" or "--port" && commandResult.Command.Name is "send" or "chat")
        {
            hint = Strings.Current.Get("Usage_PortWithHost");
        }

        return Strings.Current.Format("Usage_UnknownOption", name) + hint;
    }

    private static string DidYouMean(string typed, IEnumerable<string> known)
    {
        var matches = Suggestions.For(typed, known);
        var words = Strings.Current;
        return matches.Count == 0 ? string.Empty : words.Format("Usage_DidYouMean", string.Join(words.Get("Usage_Or"), matches.Select(m => $"'{m}'")));
    }

    /// <summary>An option's shape: <c>-x</c>, <c>--name</c>; not <c>-</c> (standard input) nor a negative number.</summary>
    private static bool IsOptionLike(string token) =>
        token.Length > 1 && token[0] == '-' &&
        !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token))
            {
                return i;
            }
        }

        return -1;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult command; current = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>The parser's own messages, without a trailing period and never with a .NET type name.</summary>
    internal static string Clean(string message)
    {
        var text = CannotParse().Replace(message, "$2: '$1' is not a valid value");
        text = TypeName().Replace(text, "a value");
        return text.Split('\n', 2)[0].TrimEnd('.', ' ');
    }

    [GeneratedRegex(@"Cannot parse argument '(.*?)' for (?:option|command|argument) '(.*?)' as expected type '[^']*'\.?")]
    private static partial Regex CannotParse();

    // Any System.Nullable`1[System.Int32] or TcpMsg.Protocol.PlainFraming that slipped through.
    [GeneratedRegex(@"'?\b(?:System|TcpMsg)\.[\w.`\[\],]+'?")]
    private static partial Regex TypeName();
}
