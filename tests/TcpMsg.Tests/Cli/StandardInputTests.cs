using TcpMsg.Cli.Output;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>A standard input closed at start (<c>&lt;&amp;-</c>) is no input, whatever the runtime then put on descriptor 0.</summary>
public sealed class StandardInputTests : LoopbackTest
{
    [Fact]
    public async Task Send_with_stdin_closed_sends_nothing_and_says_why()
    {
        await using var server = await TestServer.StartAsync();

        await using var send = StartWithStdinClosed(["send", $"127.0.0.1:{server.Port}"]);

        Assert.Equal(2, await send.WaitForExitAsync());
        Assert.Equal("tcpmsg send: standard input is closed: nothing to send (give TEXT, or pipe lines in)\n", send.Error);
        Assert.Equal(0, server.Server.Statistics.ConnectionsAccepted);
        Assert.Empty(server.Sink.Texts);
    }

    [Fact]
    public async Task Send_with_stdin_closed_still_sends_its_text_argument()
    {
        await using var server = await TestServer.StartAsync();

        await using var send = StartWithStdinClosed(["send", $"127.0.0.1:{server.Port}", "still", "works"]);

        Assert.Equal(0, await send.WaitForExitAsync());
        await server.Sink.WaitForMessagesAsync(1);
        Assert.Equal(["still works"], server.Sink.Texts);
    }

    [Fact]
    public async Task An_empty_pipe_is_open_input_with_nothing_in_it()
    {
        await using var server = await TestServer.StartAsync();

        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{server.Port}"], stdin: "");

        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal("", send.Error);
    }

    [Theory]
    [InlineData("pos:\t0\nflags:\t02000000\nmnt_id:\t16\n", true)]
    [InlineData("pos:\t0\nflags:\t0100000\nmnt_id:\t24\n", false)]
    [InlineData("pos:\t0\nflags:\t02100002\n", true)]
    [InlineData("flags:\t0100002\n", false)]
    [InlineData("", false)]
    public void Close_on_exec_marks_a_descriptor_the_process_opened_itself(string fdinfo, bool own)
    {
        Assert.Equal(own, StandardInputState.IsOwnDescriptor(fdinfo));
    }

    /// <summary>The tool started by a shell that closes descriptor 0 first, as <c>tcpmsg send HOST &lt;&amp;-</c> does.</summary>
    private static ChildProcess StartWithStdinClosed(string[] args) =>
        ChildProcess.Start("bash", ["-c", "exec \"$0\" \"$@\" <&-", ChildProcess.DotnetHost, CliBuild.DllPath, .. args]);
}
