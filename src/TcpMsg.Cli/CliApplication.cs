using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using TcpMsg.Cli.Commands;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Cli.Parsing;
using TcpMsg.Server;

namespace TcpMsg.Cli;

/// <summary>
/// The <c>tcpmsg</c> tool: parses the command line, runs a command, maps failures to exit codes.
/// Everything it prints goes through <see cref="ICliConsole"/>, so tests run it in-process.
/// </summary>
internal sealed class CliApplication
{
    private static readonly (string Name, Func<CliApplication, Command> Create)[] s_commands =
    [
        ("serve", ServeCommand.Create),
        ("send", SendCommand.Create),
        ("history", HistoryCommand.Create),
        ("chat", ChatCommand.Create),
        ("completion", CompletionCommand.Create),
    ];

    private readonly bool _handleSignals;

    public CliApplication(ICliConsole console, bool handleSignals)
    {
        Console = console;
        _handleSignals = handleSignals;
        Lang = new Option<string>("--lang")
        {
            Description = "Language of the output: en or zh. [default: from LANG, LC_ALL or LC_MESSAGES]",
            HelpName = "en|zh",
            Recursive = true,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (Strings.TryNormalizeLanguage(text, out var language))
                {
                    return language;
                }

                result.AddError($"--lang: '{text}' is not a language tcpmsg speaks (en, zh)");
                return null;
            },
        };
        Lang.CompletionSources.Add("en", "zh");
    }

    public ICliConsole Console { get; }

    /// <summary>The <c>--lang</c> option, shared by every command.</summary>
    public Option<string> Lang { get; }

    /// <summary>Called with a running server; lets in-process tests find its port.</summary>
    public Action<TcpMsgServer>? ServerStarted { get; init; }

    public Strings StringsFor(ParseResult parseResult) =>
        Strings.For(parseResult.Errors.Any(e => e.SymbolResult is OptionResult { Option: var o } && o == Lang || e.SymbolResult is ArgumentResult { Parent: OptionResult { Option: var option } } && option == Lang)
            ? null
            : parseResult.GetValue(Lang));

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var root = BuildRoot(CommandsFor(args));

        // The language first, so that what the parser says about a bad value is in it too.
        CultureInfo.CurrentUICulture = Strings.For(LanguageIn(args)).Culture;
        var parseResult = root.Parse(args);
        var strings = StringsFor(parseResult);
        if (!CliHelp.IsHelp(parseResult) && parseResult.Errors.Count == 0 && ConfigFileOf(parseResult) is { } file)
        {
            if (!ConfigFile.TryExpand(parseResult, args, file, out var expanded, out var problem))
            {
                await Console.Error.WriteLineAsync($"tcpmsg {parseResult.CommandResult.Command.Name}: {problem}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            parseResult = root.Parse(expanded);
        }

        CultureInfo.CurrentUICulture = strings.Culture;
        await using var output = new StreamWriter(Console.Out, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true };
        if (!CliHelp.IsHelp(parseResult) && UsageErrors.Describe(parseResult) is { } usage)
        {
            await Console.Error.WriteLineAsync(usage).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var signals = _handleSignals ? new SignalHandler(interrupted) : null;
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = Console.Error,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };

        try
        {
            return await parseResult.InvokeAsync(configuration, interrupted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync(strings.Get("Interrupted")).ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            // The last resort: one line, never a stack trace (unless TCPMSG_DEBUG=1 asks for it).
            await Console.Error.WriteLineAsync($"tcpmsg: unexpected error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("TCPMSG_DEBUG") == "1")
            {
                await Console.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }
            return ExitCodes.Failure;
        }
    }

    /// <summary>The language <c>--lang</c> names on <paramref name="args"/> (before any <c>--</c>), when it is one tcpmsg speaks.</summary>
    private static string? LanguageIn(string[] args)
    {
        string? language = null;
        for (var i = 0; i < args.Length && args[i] != "--"; i++)
        {
            var value = args[i] == "--lang" && i + 1 < args.Length ? args[i + 1]
                : args[i].StartsWith("--lang=", StringComparison.Ordinal) ? args[i]["--lang=".Length..]
                : null;
            if (value is not null && Strings.TryNormalizeLanguage(value, out var normalized))
            {
                language = normalized;
            }
        }

        return language;
    }

    /// <summary>The file of <c>--config FILE</c>, for a command that has the option.</summary>
    private static string? ConfigFileOf(ParseResult parseResult) =>
        parseResult.CommandResult.Command.Options.FirstOrDefault(o => o.Name == ConfigFile.OptionName) is Option<string> option
            ? parseResult.GetValue(option)
            : null;

    /// <summary>The <c>tcpmsg</c> command with <paramref name="commands"/> under it (named tcpmsg however it was started).</summary>
    public Command BuildRoot(IEnumerable<Command> commands, int? helpWidth = null)
    {
        var root = new Command("tcpmsg", "tcpmsg: receive, store and relay UTF-8 text messages over TCP; send them with confirmed delivery.")
        {
            new HelpOption("--help", "-h"),
            new VersionOption(),
            Lang,
        };
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        CliHelp.Install(root, StringsFor, helpWidth);
        return root;
    }

    /// <summary>Every command, in the order help lists them.</summary>
    public IEnumerable<Command> AllCommands() => s_commands.Select(c => c.Create(this));

    /// <summary>
    /// The commands to build: only the one named on the command line when there is one (building
    /// serve's fifty options is a good part of a one-shot <c>tcpmsg send</c>'s start-up), else all,
    /// for help and for the error that names the known commands.
    /// </summary>
    private IEnumerable<Command> CommandsFor(string[] args)
    {
        var named = args.Select(arg => Array.FindIndex(s_commands, c => c.Name == arg)).FirstOrDefault(index => index >= 0, -1);
        return named >= 0 ? [s_commands[named].Create(this)] : AllCommands();
    }

    /// <summary>
    /// First Ctrl+C or SIGTERM: cancel the command's token so it can finish cleanly. A second one
    /// is left to the system, which ends the process at once.
    /// </summary>
    private sealed class SignalHandler : IDisposable
    {
        private readonly CancellationTokenSource _cancel;
        private readonly PosixSignalRegistration _interrupt;
        private readonly PosixSignalRegistration _terminate;
        private int _signals;

        public SignalHandler(CancellationTokenSource cancel)
        {
            _cancel = cancel;
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        public void Dispose()
        {
            _interrupt.Dispose();
            _terminate.Dispose();
        }

        private void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref _signals) == 1)
            {
                context.Cancel = true;
                _cancel.Cancel();
            }
        }
    }
}
