using System.Text.Json;
using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class HistoryCommandTests : LoopbackTest
{
    [Fact]
    public async Task History_shows_the_stored_messages_in_the_servers_lines_and_filters_them()
    {
        await using (var cli = await InProcessCli.ServeAsync("--store", Store))
        {
            await SendAsync(cli.Port, "first 第一", "second", "third needle");
            using var plain = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
            await plain.SendAsync("plain needle\n");
            await plain.ShutdownAndWaitForCloseAsync();
            await cli.Console.WaitForOutputAsync(o => o.Split('\n').Count(l => l.Contains(">>>", StringComparison.Ordinal)) == 4, "four messages");
        }

        var all = await RunAsync("history", "--store", Store, "--lang", "zh");
        var last2 = await RunAsync("history", "--store", Store, "--limit", "2");
        var needles = await RunAsync("history", "--store", Store, "--contains", "needle");
        var fromLoopback = await RunAsync("history", "--store", Store, "--from", "127.0.0.1");
        var fromNowhere = await RunAsync("history", "--store", Store, "--from", "10.9.9.9");
        var future = await RunAsync("history", "--store", Store, "--since", "2099-01-01");
        var recent = await RunAsync("history", "--store", Store, "--since", "1h", "--until", "2099-01-01T00:00:00Z");

        Assert.Equal(["127.0.0.1发来消息>>>first 第一", "127.0.0.1发来消息>>>second", "127.0.0.1发来消息>>>third needle", "127.0.0.1发来消息>>>plain needle"], WithoutTime(all.OutLines));
        Assert.Equal(["127.0.0.1 sent a message>>>third needle", "127.0.0.1 sent a message>>>plain needle"], WithoutTime(last2.OutLines));
        Assert.Equal(2, needles.OutLines.Length);
        Assert.Equal(4, fromLoopback.OutLines.Length);
        Assert.Empty(fromNowhere.OutLines);
        Assert.Empty(future.OutLines);
        Assert.Equal(4, recent.OutLines.Length);
    }

    [Fact]
    public async Task Json_history_carries_ids_times_and_the_confirmed_sender()
    {
        string? clientId;
        await using (var cli = await InProcessCli.ServeAsync("--store", Store))
        {
            clientId = await SendAsync(cli.Port, "json me");
        }

        var history = await RunAsync("history", "--store", Store, "--format", "json");

        var message = JsonDocument.Parse(Assert.Single(history.OutLines)).RootElement;
        Assert.Equal("message", message.GetProperty("event").GetString());
        Assert.Equal("json me", message.GetProperty("text").GetString());
        Assert.Equal(1, message.GetProperty("id").GetInt64());
        Assert.Equal(clientId, message.GetProperty("client_id").GetString());
        Assert.Equal(1, message.GetProperty("seq").GetInt64());
        Assert.Equal("confirmed", message.GetProperty("framing").GetString());
        Assert.EndsWith("Z", message.GetProperty("time").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_prints_new_messages_as_they_are_stored_while_the_server_writes()
    {
        await using var cli = await InProcessCli.ServeAsync("--store", Store);
        await SendAsync(cli.Port, "already there");
        var console = new TestConsole();
        using var stop = new CancellationTokenSource();
        var follow = new TcpMsg.Cli.CliApplication(console, handleSignals: false).RunAsync(["history", "--store", Store, "--follow"], stop.Token);
        await console.WaitForOutputAsync(o => o.Contains("already there", StringComparison.Ordinal), "the existing message");

        await SendAsync(cli.Port, "live 实时");
        await console.WaitForOutputAsync(o => o.Contains("live 实时", StringComparison.Ordinal), "the live message");
        await stop.CancelAsync();

        Assert.Equal(0, await follow.WithTimeout());
        Assert.Equal(["127.0.0.1 sent a message>>>already there", "127.0.0.1 sent a message>>>live 实时"], WithoutTime(console.OutLines));
    }

    [Fact]
    public async Task A_missing_store_is_one_line_and_a_distinct_exit_code()
    {
        var (code, console) = await InProcessCli.RunAsync("", "history", "--store", Temp.File("nothing.db"), "--lang", "en");

        Assert.Equal(11, code);
        Assert.StartsWith("tcpmsg: no store at ", console.ErrorText, StringComparison.Ordinal);
        Assert.Single(console.ErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--since", "yesterday-ish")]
    [InlineData("--from", "example.com")]
    [InlineData("--limit", "0")]
    public async Task Bad_filters_are_usage_errors(string option, string value)
    {
        var (code, _) = await InProcessCli.RunAsync("", "history", "--store", Store, option, value);

        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Serve_with_retain_removes_old_messages_and_history_says_the_range_was_removed()
    {
        // Two messages of two days ago, one of now.
        using (var store = new TcpMsg.Storage.Internal.SqliteMessageStore(TcpMsg.Storage.StoreOptions.Default with { Path = Store }))
        {
            store.Open();
            store.Append([TestMessages.Plain("old one", DateTimeOffset.UtcNow.AddDays(-2)), TestMessages.Plain("old two", DateTimeOffset.UtcNow.AddDays(-2))]);
            store.Append([TestMessages.Plain("recent")]);
        }

        await using (await InProcessCli.ServeAsync("--store", Store, "--retain", "1d"))
        {
            await Eventually.UntilAsync(
                async () => (await InProcessCli.RunAsync("", "history", "--store", Store)).Console.OutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 1,
                "the old messages to be removed");
        }

        var all = await RunAsync("history", "--store", Store, "--since", "3d");
        Assert.Contains("recent", all.OutText, StringComparison.Ordinal);
        Assert.DoesNotContain("old", all.OutText, StringComparison.Ordinal);
        Assert.Contains("removed by the server's retention", all.ErrorText, StringComparison.Ordinal);
        var lastHour = await RunAsync("history", "--store", Store, "--since", "1h");
        Assert.Equal(string.Empty, lastHour.ErrorText);
    }

    private string Store => Temp.File("history.db");

    private static async Task<TestConsole> RunAsync(params string[] args)
    {
        var (code, console) = await InProcessCli.RunAsync("", args);
        Assert.True(code == 0, $"exit {code}: {console.ErrorText}");
        return console;
    }

    private static async Task<string?> SendAsync(int port, params string[] texts)
    {
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", port, cancellationToken: TestContext.Current.CancellationToken);
        foreach (var text in texts)
        {
            await client.SendAsync(text, TestContext.Current.CancellationToken).WithTimeout();
        }

        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();
        return client.ClientId;
    }

    [Fact]
    public async Task Each_line_says_when_the_message_was_received_in_local_time_and_an_empty_result_says_so()
    {
        await using (var cli = await InProcessCli.ServeAsync("--store", Store))
        {
            await SendAsync(cli.Port, "timed");
        }

        await using var utc = ChildProcess.StartTcpMsg(["history", "--store", Store, "--lang", "en"], new Dictionary<string, string> { ["TZ"] = "UTC" });
        await using var shanghai = ChildProcess.StartTcpMsg(["history", "--store", Store, "--lang", "zh"], new Dictionary<string, string> { ["TZ"] = "Asia/Shanghai" });
        await using var json = ChildProcess.StartTcpMsg(["history", "--store", Store, "--format", "json"]);
        await using var none = ChildProcess.StartTcpMsg(["history", "--store", Store, "--contains", "nowhere", "--lang", "en"]);
        var codes = await Task.WhenAll(utc.WaitForExitAsync(), shanghai.WaitForExitAsync(), json.WaitForExitAsync(), none.WaitForExitAsync());
        Assert.Equal(new[] { 0, 0, 0, 0 }, codes);

        var stored = JsonDocument.Parse(json.Out).RootElement.GetProperty("time").GetDateTimeOffset();
        var inUtc = System.Text.RegularExpressions.Regex.Match(utc.Out, @"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) 127\.0\.0\.1 sent a message>>>timed\n$");
        var inShanghai = System.Text.RegularExpressions.Regex.Match(shanghai.Out, @"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) 127\.0\.0\.1发来消息>>>timed\n$");
        Assert.True(inUtc.Success, utc.Out);
        Assert.True(inShanghai.Success, shanghai.Out);
        var shownUtc = DateTime.ParseExact(inUtc.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var shownShanghai = DateTime.ParseExact(inShanghai.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(stored.UtcDateTime.AddTicks(-(stored.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)), shownUtc);
        Assert.Equal(TimeSpan.FromHours(8), shownShanghai - shownUtc);
        Assert.Equal("", none.Out);
        Assert.Equal("tcpmsg history: no messages (the store is empty, or none matches what was asked)\n", none.Error);
    }

    /// <summary>History's text lines without the time each begins with (which must be there).</summary>
    internal static string[] WithoutTime(string[] lines) =>
        [.. lines.Select(line =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line);
            return line[20..];
        })];
}
