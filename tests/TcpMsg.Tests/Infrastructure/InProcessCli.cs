using TcpMsg.Cli;
using TcpMsg.Server;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Runs <c>tcpmsg serve</c> in this process with its output captured; stops it like Ctrl+C does.</summary>
internal sealed class InProcessCli : IAsyncDisposable
{
    private readonly CancellationTokenSource _interrupt = new();
    private readonly TaskCompletionSource<TcpMsgServer> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<int> _run = Task.FromResult(0);

    public TestConsole Console { get; private init; } = new();

    /// <summary>The command's exit code, once it ended.</summary>
    public Task<int> Run => _run;

    public TcpMsgServer Server => _started.Task.IsCompletedSuccessfully ? _started.Task.Result : throw new InvalidOperationException("not started");

    public int Port => Server.LocalEndPoints[0].Port;

    public static Task<InProcessCli> ServeAsync(params string[] args) => ServeAsync(new TestConsole(), args);

    /// <summary>Runs <c>tcpmsg serve</c> with <paramref name="console"/> (for a standard input the test writes as it goes).</summary>
    public static async Task<InProcessCli> ServeAsync(TestConsole console, params string[] args)
    {
        var cli = new InProcessCli { Console = console };
        var app = new CliApplication(cli.Console, handleSignals: false) { ServerStarted = cli._started.SetResult };
        // Without a --store of its own, a test serves without a store (no tcpmsg.db in the working directory).
        string[] store = args.Contains("--store") ? [] : ["--no-store"];
        cli._run = app.RunAsync(["serve", "--listen", "127.0.0.1", "--port", "0", .. store, .. args], cli._interrupt.Token);
        await Task.WhenAny(cli._started.Task, cli._run).WithTimeout();
        if (cli._run.IsCompleted)
        {
            throw new InvalidOperationException($"serve exited with {cli._run.Result}: {cli.Console.ErrorText}");
        }

        return cli;
    }

    /// <summary>Starts any command with <paramref name="console"/>; it runs until it ends or is interrupted.</summary>
    public static InProcessCli Start(TestConsole console, params string[] args)
    {
        var cli = new InProcessCli { Console = console };
        var app = new CliApplication(console, handleSignals: false);
        cli._run = app.RunAsync(args, cli._interrupt.Token);
        return cli;
    }

    /// <summary>Runs any command to completion.</summary>
    public static async Task<(int ExitCode, TestConsole Console)> RunAsync(string input, params string[] args)
    {
        var console = new TestConsole(input);
        var app = new CliApplication(console, handleSignals: false);
        var code = await app.RunAsync(args, TestContext.Current.CancellationToken).WithTimeout();
        return (code, console);
    }

    /// <summary>Stops the server as Ctrl+C would and returns its exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        await _interrupt.CancelAsync();
        return await _run.WithTimeout();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await InterruptAsync();
        }

        _interrupt.Dispose();
    }
}
