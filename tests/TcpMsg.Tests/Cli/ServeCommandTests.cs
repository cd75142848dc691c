using System.Text.Json;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class ServeCommandTests : LoopbackTest
{
    [Fact]
    public async Task English_output_shows_each_message_and_disconnect_on_one_line()
    {
        await using var cli = await InProcessCli.ServeAsync("--lang", "en");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
        var port = client.LocalEndPoint.Port;

        await client.SendAsync("你好,世界!!!");
        client.Close();
        await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        Assert.Equal(
            ["127.0.0.1 sent a message>>>你好,世界!!!", $"127.0.0.1:{port} disconnected from the server..."],
            cli.Console.OutLines);
        Assert.Equal(0, await cli.InterruptAsync());
    }

    [Fact]
    public async Task Chinese_output_is_exactly_the_tutorials_lines()
    {
        await using var cli = await InProcessCli.ServeAsync("--lang", "zh");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
        var port = client.LocalEndPoint.Port;

        await client.SendAsync("你好,世界!!!");
        client.Close();
        await cli.Console.WaitForOutputAsync(o => o.Contains("断开", StringComparison.Ordinal), "the disconnect line");

        Assert.Equal(
            ["127.0.0.1发来消息>>>你好,世界!!!", $"127.0.0.1:{port}断开了与服务器的连接..."],
            cli.Console.OutLines);
        Assert.Contains("正在监听", cli.Console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_is_one_object_per_event_with_utc_times()
    {
        await using var cli = await InProcessCli.ServeAsync("--format", "json");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));

        await client.SendAsync("hello \"json\"\n\u001b[2J");
        await client.ShutdownAndWaitForCloseAsync();
        await cli.Console.WaitForOutputAsync(o => o.Contains("\"disconnected\"", StringComparison.Ordinal), "the disconnect event");

        var events = cli.Console.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["connected", "message", "message", "disconnected"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal("hello \"json\"", events[1].GetProperty("text").GetString());
        Assert.Equal("\u001b[2J", events[2].GetProperty("text").GetString());
        Assert.DoesNotContain(cli.Console.OutBytes, b => b == 0x1B);
        foreach (var e in events)
        {
            var time = e.GetProperty("time").GetString()!;
            Assert.EndsWith("Z", time, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.Zero, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture).Offset);
            Assert.Equal($"127.0.0.1:{client.LocalEndPoint.Port}", e.GetProperty("peer").GetString());
        }

        Assert.Equal("peer_closed", events[3].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ansi_escapes_and_other_controls_are_escaped_in_text_output()
    {
        await using var cli = await InProcessCli.ServeAsync();
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));

        await client.SendAsync("\u001b[31mred\u001b[0m\tbell\u0007 rtl\u202Eevil\n");
        await client.ShutdownAndWaitForCloseAsync();
        await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        Assert.DoesNotContain(cli.Console.OutBytes, b => b is 0x1B or 0x07);
        Assert.Contains("127.0.0.1 sent a message>>>\\x1B[31mred\\x1B[0m\tbell\\x07 rtl\\u202Eevil", cli.Console.OutLines);
    }

    [Fact]
    public async Task Verbose_output_narrates_handshake_fin_and_close()
    {
        await using var cli = await InProcessCli.ServeAsync("--verbose", "--lang", "en");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
        var peer = $"127.0.0.1:{client.LocalEndPoint.Port}";

        await client.SendAsync("hi\n");
        await client.ShutdownAndWaitForCloseAsync();
        await cli.Console.WaitForOutputAsync(o => o.Contains(" closed: ", StringComparison.Ordinal), "the close line");

        var lines = cli.Console.OutLines;
        Assert.Equal($"{peer} connected (three-way handshake complete)", lines[0]);
        Assert.Equal("127.0.0.1 sent a message>>>hi", lines[1]);
        Assert.Equal($"{peer} finished sending (FIN received, 3 bytes in all)", lines[2]);
        Assert.Equal($"{peer} disconnected from the server...", lines[3]);
        Assert.StartsWith($"{peer} closed: the client finished, the server closed its side (FIN sent); 3 bytes, 1 message(s) in ", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_go_to_stderr_as_one_line_naming_the_peer()
    {
        await using var cli = await InProcessCli.ServeAsync("--max-message-size", "1KiB", "--lang", "en");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
        var peer = $"127.0.0.1:{client.LocalEndPoint.Port}";

        await client.SendAsync([0xFF, (byte)'\n', .. new byte[2000]]);
        await client.WaitForServerCloseAsync();
        await cli.Console.WaitForErrorAsync(e => e.Contains("exceeds", StringComparison.Ordinal), "the size error");

        // Errors are written at once, standard output at the end of the batch: wait for that too.
        await cli.Console.WaitForOutputAsync(o => o.Contains("sent a message", StringComparison.Ordinal), "the message line");
        var errors = cli.Console.ErrorText.Split('\n');
        Assert.Contains($"{peer}: message is not valid UTF-8 (1 bytes); bad bytes shown as U+FFFD", errors);
        Assert.Contains($"{peer}: message exceeds the limit of 1 KiB; connection closed", errors);
        Assert.Contains("127.0.0.1 sent a message>>>\uFFFD", cli.Console.OutLines);
    }

    [Fact]
    public async Task Stopping_prints_what_was_received_and_exits_zero()
    {
        await using var cli = await InProcessCli.ServeAsync("--lang", "en");
        using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
        await client.SendAsync("one\ntwo\n");
        await client.ShutdownAndWaitForCloseAsync();
        await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        Assert.Equal(0, await cli.InterruptAsync());
        Assert.Contains("stopped: 2 message(s) from 1 connection(s)", cli.Console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_shows_duplicates_and_gaps_of_confirmed_senders()
    {
        await using var cli = await InProcessCli.ServeAsync("--verbose");
        await using var client = await FrameClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port), "watched");
        await client.ReadFrameAsync();

        await client.SendMessageAsync(1, "one");
        await client.SendMessageAsync(1, "one");
        await client.SendMessageAsync(4, "four");
        await client.ReadUntilAsync(f => f.Frame is TcpMsg.Protocol.AckFrame { Sequence: 4 });
        await cli.Console.WaitForErrorAsync(e => e.Contains("gap:", StringComparison.Ordinal), "the gap line");

        Assert.Contains("duplicate: sender watched", cli.Console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("gap: sender watched", cli.Console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("jumped from sequence 1 to 4", cli.Console.ErrorText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fsync", "2")]
    [InlineData("process", "1")]
    public async Task Durability_option_reaches_the_stores_pragmas(string durability, string synchronous)
    {
        using var directory = new TempDirectory();
        await using var cli = await InProcessCli.ServeAsync("--store", directory.File("d.db"), "--durability", durability);

        var registered = cli.Server.Services.GetService(typeof(TcpMsg.Storage.Internal.IMessageStore))!;
        var store = (TcpMsg.Storage.Internal.SqliteMessageStore)(registered is TcpMsg.Server.Internal.TimedMessageStore timed ? timed.Inner : registered);

        Assert.Equal(synchronous, store.ReadPragma("synchronous"));
    }

    [Fact]
    public async Task A_store_that_cannot_be_opened_is_one_line_and_exit_code_11()
    {
        using var directory = new TempDirectory();
        var notADatabase = directory.File("text.db");
        await File.WriteAllTextAsync(notADatabase, "this is not a database, it is a text file that is long enough to have a header", TestContext.Current.CancellationToken);

        var (code, console) = await InProcessCli.RunAsync("", "serve", "--listen", "127.0.0.1:0", "--store", notADatabase);

        Assert.Equal(11, code);
        Assert.StartsWith("tcpmsg: cannot open", console.ErrorText, StringComparison.Ordinal);
        Assert.Single(console.ErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_line_and_a_nonzero_exit()
    {
        await using var first = await InProcessCli.ServeAsync();

        var (code, console) = await InProcessCli.RunAsync("", "serve", "--no-store", "--listen", $"127.0.0.1:{first.Port}", "--lang", "en");

        Assert.Equal(7, code);
        Assert.Equal($"tcpmsg: cannot listen on 127.0.0.1:{first.Port}: the address is already in use (is another server running there?)\n", console.ErrorText);
    }

    [Theory]
    [InlineData("--listen", "not-an-address")]
    [InlineData("--max-message-size", "lots")]
    [InlineData("--idle-timeout", "soon")]
    [InlineData("--framing", "paragraphs")]
    [InlineData("--port", "70000")]
    public async Task Bad_options_are_usage_errors_without_a_stack_trace(string option, string value)
    {
        var (code, console) = await InProcessCli.RunAsync("", "serve", option, value);

        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", console.ErrorText, StringComparison.Ordinal);
        Assert.StartsWith("tcpmsg", console.ErrorText, StringComparison.Ordinal);
    }
}
