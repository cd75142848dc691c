using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary><c>tcpmsg chat</c> to a server that is not (yet) running: it says it retries and why, and never claims a connection.</summary>
public sealed class ChatRetryTests : LoopbackTest
{
    [Fact]
    public async Task Chat_to_a_server_that_is_not_running_says_it_retries_and_ctrl_c_exits_nonzero_without_connected()
    {
        var port = SendCommandTests.FreePort();
        await using var chat = ChildProcess.StartTcpMsg(["chat", $"127.0.0.1:{port}", "--retry", "5m"]);

        await chat.WaitForErrorAsync(e => e.Contains("retrying", StringComparison.Ordinal), "the retry notice");
        chat.Signal(ChildProcess.SigInt);

        Assert.Equal(130, await chat.WaitForExitAsync());
        Assert.StartsWith(
            $"tcpmsg chat: connection refused by 127.0.0.1:{port} (is the server running?); retrying for up to 5m (Ctrl+C to stop)\n",
            chat.Error,
            StringComparison.Ordinal);
        Assert.EndsWith($"tcpmsg chat: interrupted; never connected to 127.0.0.1:{port}\n", chat.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("connected to 127.0.0.1", chat.Error.Replace("never connected to", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("", chat.Out);
    }

    [Fact]
    public async Task Chat_that_never_reaches_the_server_gives_up_at_the_deadline_with_a_nonzero_exit()
    {
        var port = SendCommandTests.FreePort();
        await using var chat = ChildProcess.StartTcpMsg(["chat", $"127.0.0.1:{port}", "--retry", "1s"]);

        Assert.Equal(5, await chat.WaitForExitAsync());
        Assert.Contains("gave up reconnecting", chat.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("***", chat.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_started_before_the_server_joins_once_it_is_up()
    {
        var port = SendCommandTests.FreePort();
        await using var chat = ChildProcess.StartTcpMsg(["chat", $"127.0.0.1:{port}", "--retry", "1m", "--name", "early"]);
        await chat.WaitForErrorAsync(e => e.Contains("retrying", StringComparison.Ordinal), "the retry notice");

        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--chat", "--listen", $"127.0.0.1:{port}"]);
        await chat.WaitForErrorAsync(e => e.Contains("connected to", StringComparison.Ordinal), "the connected line");

        chat.CloseInput();
        Assert.Equal(0, await chat.WaitForExitAsync());
        Assert.Contains("as early", chat.Error, StringComparison.Ordinal);
    }
}
