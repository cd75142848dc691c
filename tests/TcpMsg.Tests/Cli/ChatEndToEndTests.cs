using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>The chat with real processes: the server, the chat client piped and in a pseudo-terminal, and netcat.</summary>
public sealed class ChatEndToEndTests : LoopbackTest
{
    [Fact]
    public async Task Serve_chat_the_piped_chat_client_and_netcat_talk_in_one_room()
    {
        var nc = ExternalTools.Require("nc");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--chat", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using var chat = ChildProcess.StartTcpMsg(["chat", $"127.0.0.1:{port}", "--name", "piped"]);
        await chat.WaitForErrorAsync(e => e.Contains("*** connected to", StringComparison.Ordinal), "the chat client's first line", TestTimeouts.Extended);
        await using var netcat = ChildProcess.Start(nc, ["-N", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await netcat.WaitForOutputAsync(o => o.Contains("*** you are", StringComparison.Ordinal), "netcat's welcome");

        await serve.WriteInputAsync("welcome everyone\n");
        await chat.WaitForOutputAsync(o => o.Contains("] server> welcome everyone", StringComparison.Ordinal), "the server's post in the chat client");
        await netcat.WaitForOutputAsync(o => o.Contains("] server> welcome everyone", StringComparison.Ordinal), "the server's post in netcat");

        await chat.WriteInputAsync("hello from chat\n");
        await netcat.WaitForOutputAsync(o => o.Contains("] piped> hello from chat", StringComparison.Ordinal), "the chat client's message in netcat");
        await serve.WaitForOutputAsync(o => o.Contains("127.0.0.1 sent a message>>>hello from chat", StringComparison.Ordinal), "the message on the server's console");

        await netcat.WriteInputAsync("/nick netcat\nhi from nc\n");
        await chat.WaitForOutputAsync(o => o.Contains("] netcat> hi from nc", StringComparison.Ordinal), "netcat's message in the chat client");
        Assert.Contains(" is now known as netcat", chat.Out, StringComparison.Ordinal);

        chat.CloseInput();
        Assert.Equal(0, await chat.WaitForExitAsync());
        await netcat.WaitForOutputAsync(o => o.Contains("*** piped left", StringComparison.Ordinal), "the chat client left");
        netcat.CloseInput();
        Assert.Equal(0, await netcat.WaitForExitAsync());
        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
    }

    [Fact]
    public async Task The_interactive_client_in_a_pseudo_terminal_sends_and_receives_and_leaves_with_ctrl_c()
    {
        var script = ExternalTools.Require("script");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--chat", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using var ann = await ChatCollector.JoinAsync(port, "ann");

        // script(1) runs the client on a new pseudo-terminal and relays our pipe to it as keystrokes.
        var command = $"'{ChildProcess.DotnetHost}' '{CliBuild.DllPath}' chat 127.0.0.1:{port} --name pty";
        await using var terminal = ChildProcess.Start(script, ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm", ["COLUMNS"] = "100", ["LINES"] = "30" });
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Joined, Name: "pty" }, "the terminal client joined");
        await terminal.WaitForOutputAsync(o => o.Contains("pty> ", StringComparison.Ordinal), "the prompt", TestTimeouts.Extended);

        await terminal.WriteInputAsync("typed in a terminal\r");
        var typed = (await ann.WaitForMessagesAsync(1)).OfType<ChatMessage>().Single();
        Assert.Equal(("pty", "typed in a terminal"), (typed.Sender, typed.Text));

        await terminal.WriteInputAsync("half");
        await terminal.WaitForOutputAsync(o => o.Contains("pty> half", StringComparison.Ordinal), "the half-typed line");
        await ann.Client.PostAsync("while you type", TestContext.Current.CancellationToken).WithTimeout();
        await terminal.WaitForOutputAsync(o => o.Contains("] ann> while you type", StringComparison.Ordinal), "the message above the input");
        await terminal.WaitForOutputAsync(o => o[o.LastIndexOf("ann> while you type", StringComparison.Ordinal)..].Contains("pty> half", StringComparison.Ordinal), "the input drawn again");

        // Ctrl+C leaves cleanly, half-typed line or not (Ctrl+D, on an empty line, is tested in-process).
        await terminal.WriteInputAsync("\u0003");
        Assert.Equal(0, await terminal.WaitForExitAsync());
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Left, Name: "pty" }, "the terminal client left");
    }
}
