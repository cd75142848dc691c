using System.CommandLine;
using System.Text.RegularExpressions;
using TcpMsg.Cli;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>Mistakes on the command line: one line naming the mistake, exit 2, never a crash or a .NET type name.</summary>
public sealed partial class CommandLineErrorsTests : LoopbackTest
{
    [Theory]
    [InlineData("tcpmsg serve: --port: 'abc' is not a whole number", "serve", "--port", "abc")]
    [InlineData("tcpmsg serve: --chat-history: 'x' is not a whole number", "serve", "--chat", "--chat-history", "x")]
    [InlineData("tcpmsg history: --limit: 'abc' is not a whole number", "history", "--limit", "abc")]
    [InlineData("tcpmsg serve: --framing: 'line' is not one of lines, whole", "serve", "--framing", "line")]
    [InlineData("tcpmsg serve: --burst: 'many' is not a whole number", "serve", "--burst", "many")]
    public async Task A_value_of_the_wrong_kind_is_one_line_and_exit_2(string expected, params string[] args)
    {
        await using var tool = ChildProcess.StartTcpMsg(args);

        Assert.Equal(2, await tool.WaitForExitAsync());
        Assert.Equal($"{expected}; see 'tcpmsg {args[0]} --help'\n", tool.Error);
        Assert.Equal("", tool.Out);
    }

    [Theory]
    [InlineData("tcpmsg send: unknown option '--retries' (did you mean '--retry'?); see 'tcpmsg send --help'", "send", "--retries", "3", "127.0.0.1", "x")]
    [InlineData("tcpmsg send: unknown option '-p' (the port goes with the host: HOST:PORT, e.g. 127.0.0.1:2023); see 'tcpmsg send --help'", "send", "-p", "24045", "127.0.0.1", "x")]
    [InlineData("tcpmsg: unknown command 'sned' (did you mean 'send'?); see 'tcpmsg --help'", "sned", "127.0.0.1", "x")]
    [InlineData("tcpmsg serve: unknown option '--prot' (did you mean '--port'?); see 'tcpmsg serve --help'", "serve", "--prot", "5")]
    [InlineData("tcpmsg send: --lang: 'fr' is not a language tcpmsg speaks (en, zh); see 'tcpmsg send --help'", "send", "--lang", "fr", "127.0.0.1", "x")]
    [InlineData("tcpmsg send: HOST[:PORT] is missing; see 'tcpmsg send --help'", "send")]
    [InlineData("tcpmsg: a command is needed (serve, send, history, chat, completion); see 'tcpmsg --help'")]
    public async Task Unknown_options_and_commands_are_errors_with_a_did_you_mean(string expected, params string[] args)
    {
        await using var tool = ChildProcess.StartTcpMsg(args);

        Assert.Equal(2, await tool.WaitForExitAsync());
        Assert.Equal(expected + "\n", tool.Error);
    }

    [Fact]
    public async Task After_a_double_dash_a_dash_is_text()
    {
        await using var server = await TestServer.StartAsync();

        var (code, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{server.Port}", "--", "-x", "--retries");
        await server.Sink.WaitForMessagesAsync(1);

        Assert.Equal(0, code);
        Assert.Equal("", console.ErrorText);
        Assert.Equal(["-x --retries"], server.Sink.Texts);
    }

    [Fact]
    public void No_bad_value_of_any_option_makes_an_error_with_a_dotnet_type_name()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var checkedOptions = 0;
        foreach (var command in CliHelp.AllCommands(root).Where(c => c != root))
        {
            foreach (var option in CliHelp.OptionsOf(command).Where(o => o.Arity.MaximumNumberOfValues > 0))
            {
                foreach (var value in new[] { "abc", "-1", "99999999999", "1.5", "", "true" })
                {
                    var error = UsageErrors.Describe(root.Parse([command.Name, option.Name, value, "127.0.0.1"]));
                    if (error is not null)
                    {
                        Assert.DoesNotMatch(TypeName(), error);
                        Assert.DoesNotContain('\n', error);
                        Assert.StartsWith($"tcpmsg {command.Name}: ", error, StringComparison.Ordinal);
                    }
                }

                checkedOptions++;
            }
        }

        Assert.True(checkedOptions > 40, $"only {checkedOptions} options checked");
    }

    [Fact]
    public void The_parsers_own_messages_lose_their_type_names()
    {
        Assert.Equal(
            "--burst: 'x' is not a valid value",
            UsageErrors.Clean("Cannot parse argument 'x' for option '--burst' as expected type 'System.Nullable`1[System.Int32]'."));
        Assert.DoesNotMatch(TypeName(), UsageErrors.Clean("value of type 'TcpMsg.Protocol.PlainFraming' expected"));
    }

    [GeneratedRegex(@"System\.|TcpMsg\.|`1|Nullable|Int32|Exception")]
    private static partial Regex TypeName();
}
