using System.Text;
using System.Text.Json;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class SyslogCliTests : LoopbackTest
{
    private string Store => Temp.File("syslog.db");

    private static string Frame(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    [Fact]
    public async Task Serve_shows_syslog_as_host_app_pid_body_and_history_filters_by_app_host_and_severity()
    {
        await using (var cli = await InProcessCli.ServeAsync("--store", Store, "--lang", "zh"))
        {
            using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Loopback, cli.Port));
            await client.SendAsync(
                Frame("<11>1 2026-12-03T16:47:10Z vm accapp 42 - [x@1 k=\"v\"] 你好,世界!!!") +    // user.err
                Frame("<14>1 2026-12-03T16:47:11Z vm accapp 42 - - informational") +                // user.info
                Frame("<12>Dec  3 16:47:12 db cron[7]: 警告") +                                      // user.warning
                Frame("<10>Dec  3 16:47:13 db kernel: no pid"));                                     // user.crit
            await client.ShutdownAndWaitForCloseAsync();
            await cli.Console.WaitForOutputAsync(o => o.Split('\n').Count(l => l.Contains(">>>", StringComparison.Ordinal)) == 4, "four messages");
            Assert.Equal(
                ["127.0.0.1发来消息>>>vm accapp[42]: 你好,世界!!!", "127.0.0.1发来消息>>>vm accapp[42]: informational", "127.0.0.1发来消息>>>db cron[7]: 警告", "127.0.0.1发来消息>>>db kernel: no pid"],
                cli.Console.OutLines.Where(l => l.Contains(">>>", StringComparison.Ordinal)));
        }

        var app = await RunAsync("history", "--store", Store, "--app", "accapp");
        var host = await RunAsync("history", "--store", Store, "--host", "db", "--lang", "zh");
        var warning = await RunAsync("history", "--store", Store, "--severity", "warning");
        var err = await RunAsync("history", "--store", Store, "--severity", "err", "--host", "vm");
        var json = await RunAsync("history", "--store", Store, "--app", "accapp", "--severity", "err", "--format", "json");

        Assert.Equal(["127.0.0.1 sent a message>>>vm accapp[42]: 你好,世界!!!", "127.0.0.1 sent a message>>>vm accapp[42]: informational"], HistoryCommandTests.WithoutTime(app.OutLines));
        Assert.Equal(["127.0.0.1发来消息>>>db cron[7]: 警告", "127.0.0.1发来消息>>>db kernel: no pid"], HistoryCommandTests.WithoutTime(host.OutLines));
        Assert.Equal(3, warning.OutLines.Length);
        Assert.Single(err.OutLines);
        var syslog = JsonDocument.Parse(Assert.Single(json.OutLines)).RootElement.GetProperty("syslog");
        Assert.Equal(
            ["rfc5424", "user", "err", "2026-12-03T16:47:10Z", "vm", "accapp", "42", "[x@1 k=\"v\"]", "你好,世界!!!"],
            new[] { "format", "facility", "severity", "timestamp", "host", "app", "procid", "structured_data", "body" }.Select(p => syslog.GetProperty(p).GetString()));
        Assert.False(syslog.TryGetProperty("msgid", out _));
    }

    [Fact]
    public async Task An_unknown_severity_is_a_usage_error()
    {
        var (code, console) = await InProcessCli.RunAsync("", "history", "--store", Store, "--severity", "loud");

        Assert.Equal(TcpMsg.Cli.ExitCodes.Usage, code);
        Assert.Contains("--severity 'loud' is not a level", console.ErrorText, StringComparison.Ordinal);
    }

    private static async Task<TestConsole> RunAsync(params string[] args)
    {
        var (code, console) = await InProcessCli.RunAsync("", args);
        Assert.True(code == 0, console.ErrorText);
        return console;
    }
}
