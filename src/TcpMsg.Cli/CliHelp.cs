using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Parsing;

namespace TcpMsg.Cli;

/// <summary>
/// What <c>--help</c> prints, written here rather than by System.CommandLine: the command is always
/// <c>tcpmsg</c>, every default shows once, in the format the option accepts (<c>1MiB</c>, <c>5m</c>,
/// <c>lines</c>), and the headings follow <c>--lang</c>. docs/cli.md is this same text (<see cref="CliDocs"/>).
/// </summary>
internal sealed class CliHelp
{
    private readonly Strings _strings;
    private readonly int _width;

    public CliHelp(Strings strings, int width)
    {
        _strings = strings;
        _width = Math.Max(60, width);
    }

    /// <summary>Makes <paramref name="root"/>'s --help (inherited by every command) print through <see cref="CliHelp"/>.</summary>
    public static void Install(Command root, Func<ParseResult, Strings> strings, int? width)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new WriteHelp(strings, width);
    }

    /// <summary>True when the command line asks for help (which it gets even when something else on it is wrong).</summary>
    public static bool IsHelp(ParseResult parseResult) => parseResult.Action is WriteHelp;

    /// <summary>The default as help shows it, or null when it shows none (flags, options without one).</summary>
    public static string? DefaultText(Option option) =>
        option.HasDefaultValue ? ArgumentText.Of(option.GetDefaultValue(), option.HelpName == "SIZE") : null;

    /// <summary><paramref name="root"/> and every visible command under it, depth first.</summary>
    public static IEnumerable<Command> AllCommands(Command root)
    {
        yield return root;
        foreach (var command in root.Subcommands.Where(c => !c.Hidden).SelectMany(AllCommands))
        {
            yield return command;
        }
    }

    /// <summary>The options <paramref name="command"/> takes: its own, then those it inherits.</summary>
    public static IEnumerable<Option> OptionsOf(Command command)
    {
        var own = command.Options.Where(o => !o.Hidden).ToList();
        var inherited = Ancestors(command).SelectMany(a => a.Options).Where(o => o.Recursive && !o.Hidden && !own.Contains(o));
        return own.Concat(inherited).DistinctBy(o => o.Name);
    }

    /// <summary>The command's full name, <c>tcpmsg send</c>.</summary>
    public static string PathOf(Command command) => string.Join(' ', Ancestors(command).Reverse().Append(command).Select(c => c.Name));

    /// <summary>The option's first column: <c>-p, --port &lt;PORT&gt;</c>.</summary>
    public static string Label(Option option)
    {
        var names = string.Join(", ", option.Aliases.Order(StringComparer.Ordinal).Append(option.Name));
        return TakesValue(option) ? $"{names} <{option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant()}>" : names;
    }

    public void Write(Command command, TextWriter output)
    {
        var text = new StringBuilder();
        if (Translated(KeyOf(command), command.Description) is { Length: > 0 } description)
        {
            text.Append(Wrap(description, 0, _width)).Append('\n').Append('\n');
        }

        text.Append(_strings.Get("Help_Usage")).Append('\n');
        text.Append("  ").Append(Usage(command)).Append('\n');

        var arguments = command.Arguments.Where(a => !a.Hidden).Select(a => (ArgumentLabel(a), Translated(KeyOf(command, a.Name), a.Description))).ToList();
        Section(text, "Help_Arguments", arguments);
        var options = OptionsOf(command).Select(o => (Label(o), Describe(command, o))).ToList();
        Section(text, "Help_Options", options);
        var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, Translated(KeyOf(c), c.Description))).ToList();
        Section(text, "Help_Commands", commands);
        output.Write(text.ToString());
    }

    /// <summary>
    /// The resource that translates a command's, argument's or option's description: <c>Help:serve</c>,
    /// <c>Help:send HOST[:PORT]</c>, <c>Help:serve --port</c>; an option every command inherits has one,
    /// <c>Help:--lang</c>. English is the definitions' own text; only other languages have these.
    /// </summary>
    public static string KeyOf(Command command, string? name = null)
    {
        var path = string.Join(' ', Ancestors(command).Reverse().Skip(1).Append(command).Select(c => c.Name));
        path = command.Parents.Any() ? path : "tcpmsg";
        return name is null ? $"Help:{path}" : $"Help:{path} {name}";
    }

    /// <summary>The key of <paramref name="option"/>'s description as <paramref name="command"/> shows it.</summary>
    public static string KeyOf(Command command, Option option) => option.Recursive ? $"Help:{option.Name}" : KeyOf(command, option.Name);

    /// <summary>The description in the help's language: its translation when there is one, else the definition's English.</summary>
    private string Translated(string key, string? english) =>
        _strings.Culture.TwoLetterISOLanguageName != "en" && _strings.Find(key) is { } translated ? translated : english ?? string.Empty;

    private string Describe(Command command, Option option)
    {
        var description = option switch
        {
            HelpOption => _strings.Get("Help_HelpOption"),
            VersionOption => _strings.Get("Help_VersionOption"),
            _ => Translated(KeyOf(command, option), option.Description),
        };
        return DefaultText(option) is { } value && !description.Contains("[default:", StringComparison.Ordinal)
            ? $"{description} [{_strings.Get("Help_Default")}: {value}]"
            : description;
    }

    private string Usage(Command command)
    {
        var usage = new StringBuilder(PathOf(command));
        if (command.Subcommands.Any(c => !c.Hidden))
        {
            usage.Append(' ').Append(_strings.Get("Help_CommandPlaceholder"));
        }

        usage.Append(' ').Append(_strings.Get("Help_OptionsPlaceholder"));
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            usage.Append(' ').Append(ArgumentLabel(argument));
        }

        return usage.ToString();
    }

    private static string ArgumentLabel(Argument argument) => argument.Arity.MinimumNumberOfValues == 0
        ? argument.Arity.MaximumNumberOfValues > 1 ? $"[{argument.Name}...]" : $"[{argument.Name}]"
        : argument.Arity.MaximumNumberOfValues > 1 ? $"{argument.Name}..." : argument.Name;

    private void Section(StringBuilder text, string heading, List<(string Label, string Description)> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        text.Append('\n').Append(_strings.Get(heading)).Append('\n');
        var column = Math.Min(rows.Max(r => r.Label.Length) + 4, _width / 3);
        foreach (var (label, description) in rows)
        {
            text.Append("  ").Append(label);
            if (label.Length + 4 > column)
            {
                text.Append('\n').Append(' ', column);
            }
            else
            {
                text.Append(' ', column - label.Length - 2);
            }

            text.Append(Wrap(description, column, _width - column)).Append('\n');
        }
    }

    /// <summary>
    /// Words wrapped to <paramref name="width"/> columns; lines after the first indented by
    /// <paramref name="indent"/>. A Chinese character takes two columns and a line may break before
    /// any of them (Chinese is written without spaces), but not before closing punctuation.
    /// </summary>
    private static string Wrap(string text, int indent, int width)
    {
        var result = new StringBuilder();
        var line = 0;
        foreach (var (word, spaced) in Words(text))
        {
            var columns = Columns(word);
            var gap = spaced && line > 0 ? 1 : 0;
            if (line > 0 && line + gap + columns > width)
            {
                result.Append('\n').Append(' ', indent);
                line = 0;
                gap = 0;
            }

            result.Append(' ', gap).Append(word);
            line += gap + columns;
        }

        return result.ToString();
    }

    /// <summary>The units a line may break between, and whether a space comes before each.</summary>
    private static IEnumerable<(string Word, bool Spaced)> Words(string text)
    {
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var spaced = true;
            var start = 0;
            for (var i = 0; i < part.Length; i++)
            {
                // A wide character begins a unit of its own, unless it is punctuation that closes what came before.
                if (i > start && IsWide(part[i]) && !IsClosing(part[i]))
                {
                    yield return (part[start..i], spaced);
                    spaced = false;
                    start = i;
                }
                else if (i > start && !IsWide(part[i]) && IsWide(part[i - 1]) && !IsClosing(part[i]))
                {
                    yield return (part[start..i], spaced);
                    spaced = false;
                    start = i;
                }
            }

            yield return (part[start..], spaced);
        }
    }

    private static int Columns(string word) => word.Sum(c => IsWide(c) ? 2 : 1);

    private static bool IsWide(char c) => c is >= '\u1100' and <= '\u115F' or >= '\u2E80' and <= '\uA4CF' or >= '\uAC00' and <= '\uD7A3' or >= '\uF900' and <= '\uFAFF' or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60' or >= '\uFFE0' and <= '\uFFE6';

    private static bool IsClosing(char c) => c is '，' or '。' or '、' or '；' or '：' or '）' or '」' or '』' or '！' or '？' or ',' or '.' or ';' or ':' or ')' or ']';

    private static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return parent;
        }
    }

    private sealed class WriteHelp(Func<ParseResult, Strings> strings, int? width) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var help = new CliHelp(strings(parseResult), width ?? WidthOfTerminal());
            help.Write(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        }

        private static int WidthOfTerminal()
        {
            if (Console.IsOutputRedirected)
            {
                return 100;
            }

            try
            {
                return Console.WindowWidth;
            }
            catch (IOException)
            {
                return 100;
            }
        }
    }
}
