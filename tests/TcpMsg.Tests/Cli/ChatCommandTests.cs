using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class ChatCommandTests : LoopbackTest
{
    [Fact]
    public async Task Line_by_line_it_prints_the_room_and_sends_lines_and_commands()
    {
        await using var server = await ChatServerAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        var input = new TestInput();
        await using var cli = InProcessCli.Start(new TestConsole(input.Stream), "chat", $"127.0.0.1:{server.Port}", "--name", "cli", "--lang", "en");
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Joined, Name: "cli" }, "cli joined");

        await ann.Client.PostAsync("hello \u001b[2Jcli", Token).WithTimeout();
        await cli.Console.WaitForOutputAsync(o => o.Contains("ann> hello", StringComparison.Ordinal), "ann's message");
        await input.WriteLineAsync("hi ann");
        await input.WriteLineAsync("/who");
        await cli.Console.WaitForOutputAsync(o => o.Split("*** here").Length == 3, "the members, a second time");
        await input.WriteLineAsync("/nick ann");
        await cli.Console.WaitForOutputAsync(o => o.Contains("cannot be called", StringComparison.Ordinal), "the refusal");
        await input.WriteLineAsync("/nick clive");
        await cli.Console.WaitForOutputAsync(o => o.Contains("you are now known as clive", StringComparison.Ordinal), "the new name");
        await input.WriteLineAsync("//slash");
        input.Close();

        Assert.Equal(0, await cli.Run.WithTimeout());
        var events = await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Left, Name: "clive" }, "clive left");
        Assert.Equal([("cli", "hi ann"), ("clive", "/slash")], events.OfType<ChatMessage>().Select(m => (m.Sender, m.Text)));
        var lines = cli.Console.OutLines;
        Assert.Equal(5, lines.Length);
        Assert.Equal("*** here (2): ann, cli", lines[0]);
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\] ann> hello \\x1B\[2Jcli$", lines[1]);
        Assert.Equal(["*** here (2): ann, cli", "*** you cannot be called ann: ann is in use", "*** you are now known as clive"], lines[2..]);
        Assert.Contains("*** connected to 127.0.0.1:", cli.Console.ErrorText, StringComparison.Ordinal);
        Assert.DoesNotContain(cli.Console.OutBytes, b => b == 0x1B);
    }

    [Fact]
    public async Task In_a_terminal_incoming_lines_appear_above_what_is_being_typed()
    {
        await using var server = await ChatServerAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        using var terminal = new FakeTerminal { Width = 40 };
        var console = new TestConsole(new TestInput().Stream) { Terminal = terminal };
        await using var cli = InProcessCli.Start(console, "chat", $"127.0.0.1:{server.Port}", "--name", "tty", "--lang", "en");
        await console.WaitForOutputAsync(o => o.Contains("*** connected to", StringComparison.Ordinal), "the first line");
        Assert.True(terminal.KeyMode);

        terminal.Type("hel");
        await console.WaitForOutputAsync(o => o.EndsWith("\rtty> hel\u001b[K\r\u001b[8C", StringComparison.Ordinal), "the typed text");
        await ann.Client.PostAsync("interrupting", Token).WithTimeout();

        // The input line is cleared, the message written on its own line, and the input drawn again.
        await console.WaitForOutputAsync(o => o.Contains("ann> interrupting\r\n\u001b[2K\r\u001b[2K", StringComparison.Ordinal) || o.Contains("ann> interrupting\r\n\rtty> hel\u001b[K\r\u001b[8C", StringComparison.Ordinal), "the message above the input");
        Assert.Contains("\r\u001b[2K[", console.OutText, StringComparison.Ordinal);
        Assert.EndsWith("ann> interrupting\r\n\rtty> hel\u001b[K\r\u001b[8C", console.OutText, StringComparison.Ordinal);

        terminal.Type("lo");
        terminal.Enter();
        var events = await ann.WaitForMessagesAsync(1);
        Assert.Equal(("tty", "hello"), (events.OfType<ChatMessage>().Single().Sender, events.OfType<ChatMessage>().Single().Text));
        await console.WaitForOutputAsync(o => o.Contains("tty> hello\r\n", StringComparison.Ordinal), "its own message, once stored");

        terminal.Press(ConsoleKey.D, '\u0004', control: true);
        Assert.Equal(0, await cli.Run.WithTimeout());
        Assert.False(terminal.KeyMode);
        Assert.EndsWith("\r\u001b[2K", console.OutText, StringComparison.Ordinal);
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Left, Name: "tty" }, "tty left");
    }

    [Fact]
    public async Task When_the_server_goes_away_the_client_says_so_and_comes_back()
    {
        await using var server = await ChatServerAsync();
        var input = new TestInput();
        await using var cli = InProcessCli.Start(new TestConsole(input.Stream), "chat", $"127.0.0.1:{server.Port}", "--name", "back", "--lang", "en");
        await server.Sink.WaitUntilAsync(e => e.OfType<ChatMemberEvent>().Any(), what: "the join");

        server.Server.Services.GetRequiredService<ConnectionTracker>().CloseAll(TcpMsgErrorCode.ServerShutdown);

        await cli.Console.WaitForErrorAsync(e => e.Contains("*** connection lost (", StringComparison.Ordinal) && e.Contains("reconnecting...", StringComparison.Ordinal), "the loss");
        await cli.Console.WaitForErrorAsync(e => e.Contains("*** connected again as back", StringComparison.Ordinal), "the return");
        await input.WriteLineAsync("still here");
        input.Close();
        Assert.Equal(0, await cli.Run.WithTimeout());
        await server.Sink.WaitUntilAsync(e => e.OfType<ReceivedMessage>().Any(m => m.Text == "still here"), what: "the message after the return");
    }

    [Fact]
    public async Task Failures_have_their_exit_codes()
    {
        await using var plainServer = await TestServer.StartAsync();
        var (noRoom, console) = await InProcessCli.RunAsync("", "chat", $"127.0.0.1:{plainServer.Port}");
        Assert.Equal(14, noRoom);
        Assert.Equal($"tcpmsg chat: 127.0.0.1:{plainServer.Port} runs no chat room (start it with tcpmsg serve --chat)\n", console.ErrorText);

        var port = SendCommandTests.FreePort();
        var (refused, refusedConsole) = await InProcessCli.RunAsync("", "chat", $"127.0.0.1:{port}", "--retry", "0");
        Assert.Equal(4, refused);
        Assert.Equal($"tcpmsg chat: connection refused by 127.0.0.1:{port} (is the server running?)\n", refusedConsole.ErrorText);

        var (unknown, _) = await InProcessCli.RunAsync("", "chat", "nowhere.invalid");
        Assert.Equal(3, unknown);
        var (usage, _) = await InProcessCli.RunAsync("", "chat", "[::1");
        Assert.Equal(2, usage);
    }

    [Fact]
    public async Task Over_tls_the_chat_client_verifies_the_server_and_talks()
    {
        using var pki = TestPki.Create();
        var input = new TestInput();
        await using var serve = await InProcessCli.ServeAsync("--chat", "--tls-cert", pki.WritePem(pki.IssueServer(), "server.pem"), "--lang", "en");
        await using var cli = InProcessCli.Start(new TestConsole(input.Stream), "chat", $"localhost:{serve.Port}", "--tls-ca", pki.AuthorityFile, "--name", "secure", "--lang", "en");
        await serve.Console.WaitForOutputAsync(o => o.Contains("joined the chat as secure", StringComparison.Ordinal), "the join over TLS");

        await input.WriteLineAsync("over tls");
        await serve.Console.WaitForOutputAsync(o => o.Contains("sent a message>>>over tls", StringComparison.Ordinal), "the message over TLS");
        input.Close();
        Assert.Equal(0, await cli.Run.WithTimeout());

        // Without the private CA the server's certificate is not trusted: the TLS exit code.
        var (untrusted, console) = await InProcessCli.RunAsync("", "chat", $"localhost:{serve.Port}", "--tls", "--retry", "0", "--lang", "en");
        Assert.Equal(12, untrusted);
        Assert.StartsWith("tcpmsg chat: ", console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_room_that_requires_a_token_lets_in_the_client_that_has_it()
    {
        using var directory = new TempDirectory();
        var tokens = directory.File("tokens");
        await File.WriteAllTextAsync(tokens, "letmein-0123456789abcdef\n", Token);
        await using var serve = await InProcessCli.ServeAsync("--chat", "--token-file", tokens, "--lang", "en");
        var input = new TestInput();
        await using var cli = InProcessCli.Start(new TestConsole(input.Stream), "chat", $"127.0.0.1:{serve.Port}", "--token-file", tokens, "--name", "member");

        await serve.Console.WaitForOutputAsync(o => o.Contains("joined the chat as member", StringComparison.Ordinal), "the member with the token");
        input.Close();
        Assert.Equal(0, await cli.Run.WithTimeout());
        var (without, console) = await InProcessCli.RunAsync("", "chat", $"127.0.0.1:{serve.Port}", "--retry", "0", "--lang", "en");
        Assert.Equal(13, without);
        Assert.StartsWith("tcpmsg chat: ", console.ErrorText, StringComparison.Ordinal);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<TestServer> ChatServerAsync() => TestServer.StartAsync(TcpMsgServerOptions.Default with { Chat = ChatOptions.Default });
}
