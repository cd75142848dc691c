using System.Net;
using System.Net.Sockets;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class SendCommandTests : LoopbackTest
{
    [Fact]
    public async Task Sending_the_argument_delivers_one_message_and_exits_zero()
    {
        await using var server = await TestServer.StartAsync();

        var (code, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{server.Port}", "你好,世界!!!");
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(0, code);
        Assert.Equal("", console.ErrorText);
        Assert.Equal(["你好,世界!!!"], server.Sink.Texts);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task Several_words_are_joined_and_stdin_lines_are_messages()
    {
        await using var server = await TestServer.StartAsync();

        var (words, _) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{server.Port}", "hello", "world");
        var (lines, _) = await InProcessCli.RunAsync("first\r\nsecond 第二\nthird", "send", $"127.0.0.1:{server.Port}");
        await server.Sink.WaitForDisconnectsAsync(2);

        Assert.Equal(0, words);
        Assert.Equal(0, lines);
        Assert.Equal(["hello world", "first", "second 第二", "third"], server.Sink.Texts);
    }

    [Fact]
    public async Task Ipv6_addresses_in_brackets_work()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "IPv6 is not available on this machine");
        await using var server = await TestServer.StartAsync(endpoint: ListenEndpoint.ForAddress(IPAddress.IPv6Loopback, 0));

        var (code, console) = await InProcessCli.RunAsync("", "send", $"[::1]:{server.Port}", "over v6");
        await server.Sink.WaitForMessagesAsync(1);

        Assert.Equal(0, code);
        Assert.Equal("::1", server.Sink.Messages.Single().Connection.Address);
        Assert.Equal("", console.ErrorText);
    }

    [Fact]
    public async Task Verbose_confirmed_send_prints_the_store_id()
    {
        using var directory = new TempDirectory();
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Store = TcpMsg.Storage.StoreOptions.Default with { Path = directory.File("v.db") } });

        var (one, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{server.Port}", "first", "--verbose", "--lang", "en");
        var (many, manyConsole) = await InProcessCli.RunAsync("a\nb\nc\n", "send", $"127.0.0.1:{server.Port}", "--verbose", "--lang", "en");

        Assert.Equal(0, one);
        Assert.Equal("delivered: id 1\n", console.OutText);
        Assert.Equal(0, many);
        Assert.Equal("delivered: 3 messages, last id 4\n", manyConsole.OutText);
    }

    [Fact]
    public async Task A_hundred_thousand_stdin_lines_stream_through_the_window()
    {
        await using var server = await TestServer.StartAsync();
        var lines = string.Concat(Enumerable.Range(1, 100_000).Select(i => $"line {i}\n"));

        var (code, console) = await InProcessCli.RunAsync(lines, "send", $"127.0.0.1:{server.Port}");

        Assert.True(code == 0, console.ErrorText);
        await server.Sink.WaitForMessagesAsync(100_000);
        Assert.Equal("line 100000", server.Sink.Messages[^1].Text);
    }

    [Fact]
    public async Task Tokens_come_from_a_file_and_a_missing_one_is_exit_code_13()
    {
        using var directory = new TempDirectory();
        var tokens = directory.File("tokens");
        await File.WriteAllTextAsync(tokens, "# the team's token\nletmein-0123456789abcdef\n", TestContext.Current.CancellationToken);
        await using var cli = await InProcessCli.ServeAsync("--token-file", tokens, "--no-plain");

        var (with, withConsole) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{cli.Port}", "--token-file", tokens, "authorised");
        var (without, withoutConsole) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{cli.Port}", "sneaky", "--lang", "en");
        var (plain, plainConsole) = await InProcessCli.RunAsync("", "send", "--plain", $"127.0.0.1:{cli.Port}", "plain", "--lang", "en");
        await cli.Console.WaitForOutputAsync(o => o.Contains("authorised", StringComparison.Ordinal), "the authorised message");

        Assert.True(with == 0, withConsole.ErrorText);
        Assert.Equal(13, without);
        Assert.Equal($"tcpmsg send: 127.0.0.1:{cli.Port} requires an access token: give one with --token-file FILE or $TCPMSG_TOKEN\n", withoutConsole.ErrorText);
        Assert.Equal(8, plain);
        Assert.Contains("accepts only tcpmsg clients in confirmed mode", plainConsole.ErrorText, StringComparison.Ordinal);
        Assert.DoesNotContain("sneaky", cli.Console.OutText, StringComparison.Ordinal);
        Assert.DoesNotContain(">>>plain", cli.Console.OutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_one_line_and_exit_code_4()
    {
        var port = FreePort();

        var (code, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{port}", "hi", "--lang", "en");

        Assert.Equal(4, code);
        Assert.Equal($"tcpmsg send: connection refused by 127.0.0.1:{port} (is the server running?)\n", console.ErrorText);
    }

    [Fact]
    public async Task An_unresolvable_host_is_one_line_and_exit_code_3()
    {
        var (code, console) = await InProcessCli.RunAsync("", "send", "no-such-host.invalid", "hi", "--lang", "en");

        Assert.Equal(3, code);
        Assert.Equal("tcpmsg send: host not found: no-such-host.invalid\n", console.ErrorText);
    }

    [Fact]
    public async Task A_server_that_never_closes_is_a_timeout_exit_code_5()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var accepted = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();

        var (code, console) = await InProcessCli.RunAsync("", "send", "--plain", $"127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}", "hi", "--timeout", "1s", "--lang", "en");
        using var peer = await accepted.WithTimeout();

        Assert.Equal(5, code);
        Assert.StartsWith("tcpmsg send: timed out: ", console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("did not close the connection", console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_by_the_server_is_exit_code_6()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var resetter = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync();
            var buffer = new byte[64];
            await peer.ReceiveAsync(buffer);
            peer.LingerState = new LingerOption(true, 0);
            peer.Close();
        }, TestContext.Current.CancellationToken);

        var (code, console) = await InProcessCli.RunAsync("", "send", "--plain", $"127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}", "hi", "--lang", "en");
        await resetter.WithTimeout();

        Assert.Equal(6, code);
        Assert.StartsWith("tcpmsg send: connection reset by 127.0.0.1:", console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_does_not_answer_the_preamble_is_not_a_tcpmsg_server_exit_code_10()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var accepted = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();

        // The timeout bounds the connect too: 2 s, so that a busy machine cannot turn "no answer to the preamble" into "connect timed out".
        var (code, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}", "hi", "--timeout", "2s", "--lang", "en");
        using var peer = await accepted.WithTimeout();

        Assert.Equal(10, code);
        Assert.Contains("is not a tcpmsg server", console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("--plain", console.ErrorText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[::1")]
    [InlineData("host:0")]
    [InlineData("host:port")]
    public async Task A_bad_address_is_a_usage_error(string address)
    {
        var (code, console) = await InProcessCli.RunAsync("", "send", address, "hi");

        Assert.Equal(2, code);
        Assert.StartsWith("tcpmsg send: ", console.ErrorText, StringComparison.Ordinal);
    }

    internal static int FreePort()
    {
        // Bind, read the port, close: nothing listens there afterwards.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
