using TcpMsg.Cli.Commands;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// Long work is not silent: progress on a terminal (on a fake clock), outages said as they happen,
/// and nothing but plain lines when standard error is not a terminal (real processes).
/// </summary>
public sealed class SendProgressTests : LoopbackTest
{
    private const string Erase = "\r\u001b[K";

    [Fact]
    public async Task Progress_appears_after_a_second_is_redrawn_in_place_and_ends_with_a_summary()
    {
        var clock = FakeClock.Create();
        var terminal = new StringWriter();
        var line = new StatusLine(terminal);
        var statistics = new DeliveryStatistics();
        var progress = SendProgress.Start(line, Strings.English, statistics, confirmed: true, clock);
        Count(statistics, sent: 300, delivered: 100);

        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal("", terminal.ToString());

        await clock.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), () => terminal.ToString().Length > 0, "the first status line");
        Assert.Equal(Erase + "tcpmsg send: 300 sent, 100 acknowledged, 100/s, 1 s", terminal.ToString());

        Count(statistics, sent: 200, delivered: 200);
        await clock.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), () => terminal.ToString().Contains("300 acknowledged", StringComparison.Ordinal), "the redrawn line");
        line.WriteLine("tcpmsg send: a diagnostic");
        await progress.DisposeAsync();

        var lines = terminal.ToString();
        Assert.Contains(Erase + "tcpmsg send: 500 sent, 300 acknowledged, 200/s, 1.5 s", lines, StringComparison.Ordinal);
        Assert.Contains(Erase + "tcpmsg send: a diagnostic\n" + "tcpmsg send: 500 sent, 300 acknowledged", lines, StringComparison.Ordinal);
        Assert.EndsWith(Erase + "tcpmsg send: 500 sent, 300 acknowledged, 200/s, 1.5 s\n", lines, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_send_done_within_a_second_shows_no_progress_at_all()
    {
        var clock = FakeClock.Create();
        var terminal = new StringWriter();
        var statistics = new DeliveryStatistics();
        var progress = SendProgress.Start(new StatusLine(terminal), Strings.English, statistics, confirmed: false, clock);
        Count(statistics, sent: 10, delivered: 10);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        await progress.DisposeAsync();

        Assert.Equal("", terminal.ToString());
    }

    [Fact]
    public void An_outage_is_said_when_it_begins_when_its_reason_changes_and_when_it_ends()
    {
        var clock = FakeClock.Create();
        var error = new StringWriter();
        var reporter = new RetryReporter(error, Strings.English, "tcpmsg send", "127.0.0.1:2023", TimeSpan.FromSeconds(8), clock);

        reporter.Lost(new TcpMsgException(TcpMsgErrorCode.Reset, "connection reset"));
        clock.Advance(TimeSpan.FromSeconds(1));
        reporter.Report(new TcpMsgException(TcpMsgErrorCode.Refused, "connection refused"));
        reporter.Report(new TcpMsgException(TcpMsgErrorCode.Refused, "connection refused"));
        clock.Advance(TimeSpan.FromSeconds(2));
        reporter.Recovered();
        reporter.Recovered();

        Assert.Equal(
            [
                "tcpmsg send: lost the connection to 127.0.0.1:2023: connection reset; reconnecting for up to 8s (Ctrl+C to stop)",
                "tcpmsg send: still retrying: connection refused (1 s so far, 2 attempts)",
                "tcpmsg send: connected to 127.0.0.1:2023 again after 3 s; resending what was not acknowledged",
            ],
            error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Send_retry_says_when_the_server_went_away_and_when_it_came_back_in_plain_lines()
    {
        using var directory = new TempDirectory();
        var store = directory.File("outage.db");
        var first = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store, "--rate", "500/s"]);
        var port = await EndToEndTests.ListeningPortAsync(first);
        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--retry", "2m", "--lang", "en"]);
        await send.WriteInputAsync(string.Concat(Enumerable.Range(1, 2000).Select(i => $"line {i}\n")));
        send.CloseInput();
        await first.WaitForOutputAsync(o => o.Contains(">>>line 100\n", StringComparison.Ordinal), "the first hundred lines");

        first.Signal(ChildProcess.SigKill);
        await first.WaitForExitAsync();
        await first.DisposeAsync();
        await send.WaitForErrorAsync(e => e.Contains("lost the connection", StringComparison.Ordinal), "the outage to be reported");
        await using var second = ChildProcess.StartTcpMsg(["serve", "--listen", $"127.0.0.1:{port}", "--store", store]);
        await EndToEndTests.ListeningPortAsync(second);

        Assert.Equal(0, await send.WaitForExitAsync(TestTimeouts.Extended));
        Assert.Contains($"tcpmsg send: lost the connection to 127.0.0.1:{port}: ", send.Error, StringComparison.Ordinal);
        Assert.Matches($@"tcpmsg send: connected to 127\.0\.0\.1:{port} again after [0-9.]+ (ms|s); resending what was not acknowledged\n", send.Error);
        Assert.DoesNotContain('\r', send.Error);
    }

    [Fact]
    public async Task On_a_terminal_a_rate_limited_send_shows_its_progress_and_a_summary()
    {
        var script = ExternalTools.Require("script");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--no-store", "--rate", "200/s", "--burst", "10"]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        using var directory = new TempDirectory();
        var lines = directory.File("lines.txt");
        await File.WriteAllTextAsync(lines, string.Concat(Enumerable.Range(1, 500).Select(i => $"line {i}\n")), TestContext.Current.CancellationToken);

        // script(1) gives the client a pseudo-terminal for standard error; its input is the file.
        var command = $"'{ChildProcess.DotnetHost}' '{CliBuild.DllPath}' send 127.0.0.1:{port} --lang en < '{lines}'";
        await using var terminal = ChildProcess.Start(script, ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm" });

        Assert.Equal(0, await terminal.WaitForExitAsync(TestTimeouts.Extended));
        // The process's output is read line by line, and a carriage return ends a line there too.
        Assert.Matches(@"[\r\n]\u001b\[Ktcpmsg send: 500 sent, (?!500 )\d+ acknowledged, \d+/s, [0-9.]+ s", terminal.Out);
        Assert.Matches(@"[\r\n]\u001b\[Ktcpmsg send: 500 sent, 500 acknowledged, \d+/s, [0-9.]+ s\r?\n", terminal.Out);
        await serve.WaitForOutputAsync(o => o.Contains(">>>line 500\n", StringComparison.Ordinal), "the last line");
    }

    private static void Count(DeliveryStatistics statistics, int sent, int delivered)
    {
        for (var i = 0; i < sent; i++)
        {
            statistics.OnSent();
        }

        statistics.OnDelivered(delivered, null);
    }
}
