using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>A line of standard input larger than the server accepts: said, with its line number and what was left.</summary>
public sealed class OversizedLineTests : LoopbackTest
{
    private static readonly string s_input = "before\n" + new string('x', 100 * 1024) + "\nafter\nlast\n";

    [Fact]
    public async Task An_oversized_line_stops_the_send_and_says_its_number_and_what_was_not_sent()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = 64 * 1024 });

        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{server.Port}"], stdin: s_input);

        Assert.Equal(8, await send.WaitForExitAsync());
        Assert.Equal(
            "tcpmsg send: line 2 is too large: the message is 102400 bytes; the server accepts at most 65536; " +
            "stopped there: 3 line(s) not sent, 1 delivered (--skip-oversized sends the others)\n",
            send.Error);
        await server.Sink.WaitForMessagesAsync(1);
        Assert.Equal(["before"], server.Sink.Texts);
    }

    [Fact]
    public async Task Skip_oversized_goes_on_after_saying_which_line_it_skipped()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = 64 * 1024 });

        await using var send = ChildProcess.StartTcpMsg(["send", "--skip-oversized", $"127.0.0.1:{server.Port}"], stdin: s_input);

        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal("tcpmsg send: line 2 skipped: the message is 102400 bytes; the server accepts at most 65536\n", send.Error);
        await server.Sink.WaitForMessagesAsync(3);
        Assert.Equal(["before", "after", "last"], server.Sink.Texts);
    }
}
