using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary><c>tcpmsg completion bash|zsh|fish</c>: scripts a shell accepts, that complete commands, options and choices.</summary>
public sealed class CompletionTests : LoopbackTest
{
    [Fact]
    public async Task The_bash_script_is_valid_bash_and_completes_subcommands_options_and_choices()
    {
        using var directory = new TempDirectory();
        var script = directory.File("tcpmsg.bash");
        await using (var tool = ChildProcess.StartTcpMsg(["completion", "bash"]))
        {
            Assert.Equal(0, await tool.WaitForExitAsync());
            await File.WriteAllTextAsync(script, tool.Out, TestContext.Current.CancellationToken);
        }

        await using var syntax = ChildProcess.Start("bash", ["-n", script]);
        Assert.Equal(0, await syntax.WaitForExitAsync());

        Assert.Equal("send serve", await CompleteAsync(script, "tcpmsg se"));
        Assert.Equal("--retry", await CompleteAsync(script, "tcpmsg send --ret"));
        Assert.Equal("lines whole", await CompleteAsync(script, "tcpmsg serve --framing "));
        Assert.Equal("json", await CompleteAsync(script, "tcpmsg history --format j"));
    }

    [Theory]
    [InlineData("zsh", "bashcompinit")]
    [InlineData("fish", "complete -c tcpmsg -n '__fish_seen_subcommand_from serve' -l framing -x -a 'lines whole'")]
    public async Task Zsh_and_fish_scripts_are_written_from_the_same_definitions(string shell, string expected)
    {
        await using var tool = ChildProcess.StartTcpMsg(["completion", shell]);

        Assert.Equal(0, await tool.WaitForExitAsync());
        Assert.Contains(expected, tool.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shell_is_a_usage_error()
    {
        await using var tool = ChildProcess.StartTcpMsg(["completion", "powershell"]);

        Assert.Equal(2, await tool.WaitForExitAsync());
        Assert.StartsWith("tcpmsg completion: ", tool.Error, StringComparison.Ordinal);
    }

    /// <summary>What bash would offer for <paramref name="line"/> (the cursor at its end), sorted, space-separated.</summary>
    private static async Task<string> CompleteAsync(string script, string line)
    {
        var words = line.EndsWith(' ') ? line + "''" : line;
        var program = $"source '{script}'; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _tcpmsg; printf '%s\\n' \"${{COMPREPLY[@]}}\" | sort";
        await using var bash = ChildProcess.Start("bash", ["-c", program]);
        Assert.Equal(0, await bash.WaitForExitAsync());
        return string.Join(' ', bash.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
