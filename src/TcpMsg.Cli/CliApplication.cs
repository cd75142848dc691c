using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using TcpMsg.Cli.Commands;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Server;

namespace TcpMsg.Cli;

/// <summary>
/// The <c>tcpmsg</c> tool: parses the command line, runs a command, maps failures to exit codes.
/// Everything it prints goes through <see cref="ICliConsole"/>, so tests run it in-process.
/// </summary>
internal sealed class CliApplication
{
    private readonly bool _handleSignals;

    public CliApplication(ICliConsole console, bool handleSignals)
    {
        Console = console;
        _handleSignals = handleSignals;
        Lang = new Option<string>("--lang")
        {
            Description = "Language of the output: en or zh (default: from LANG / the UI culture).",
            Recursive = true,
        };
    }

    public ICliConsole Console { get; }

    /// <summary>The <c>--lang</c> option, shared by every command.</summary>
    public Option<string> Lang { get; }

    /// <summary>Called with a running server; lets in-process tests find its port.</summary>
    public Action<TcpMsgServer>? ServerStarted { get; init; }

    public Strings StringsFor(ParseResult parseResult) => Strings.For(parseResult.GetValue(Lang));

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("tcpmsg: receive, store and relay UTF-8 text messages over TCP; send them with confirmed delivery.")
        {
            Lang,
        };
        foreach (var command in CommandsFor(args))
        {
            root.Subcommands.Add(command);
        }

        var parseResult = root.Parse(args);
        await using var output = new StreamWriter(Console.Out, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true };
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await Console.Error.WriteLineAsync($"tcpmsg: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Try 'tcpmsg --help'.").ConfigureAwait(false);
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
            await Console.Error.WriteLineAsync(StringsFor(parseResult).Get("Interrupted")).ConfigureAwait(false);
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

    /// <summary>
    /// The commands to build: only the one named on the command line when there is one (building
    /// serve's fifty options is a good part of a one-shot <c>tcpmsg send</c>'s start-up), else all,
    /// for help and for the error that names the known commands.
    /// </summary>
    private IEnumerable<Command> CommandsFor(string[] args)
    {
        (string Name, Func<CliApplication, Command> Create)[] commands =
        [
            ("serve", ServeCommand.Create),
            ("send", SendCommand.Create),
            ("history", HistoryCommand.Create),
            ("chat", ChatCommand.Create),
        ];
        var named = args.Select(arg => Array.FindIndex(commands, c => c.Name == arg)).FirstOrDefault(index => index >= 0, -1);
        return named >= 0 ? [commands[named].Create(this)] : commands.Select(c => c.Create(this));
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
