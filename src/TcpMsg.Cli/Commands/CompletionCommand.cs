using System.CommandLine;
using System.Text;

namespace TcpMsg.Cli.Commands;

/// <summary><c>tcpmsg completion bash|zsh|fish</c>: print the shell's completion script.</summary>
internal static class CompletionCommand
{
    public static Command Create(CliApplication app)
    {
        var shell = new Argument<string>("SHELL")
        {
            Description = "bash, zsh or fish.",
        };
        shell.AcceptOnlyFromAmong(CompletionScripts.Shells);
        shell.CompletionSources.Add(CompletionScripts.Shells);
        var command = new Command(
            "completion",
            "Print a shell completion script. bash: source <(tcpmsg completion bash) in ~/.bashrc; zsh: the same in ~/.zshrc; fish: tcpmsg completion fish > ~/.config/fish/completions/tcpmsg.fish.")
        {
            shell,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // The script covers every command, not only the ones built for this run.
            var root = app.BuildRoot(app.AllCommands());
            var script = CompletionScripts.For(parseResult.GetRequiredValue(shell), root);
            await app.Console.Out.WriteAsync(Encoding.UTF8.GetBytes(script), cancellationToken).ConfigureAwait(false);
            await app.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
