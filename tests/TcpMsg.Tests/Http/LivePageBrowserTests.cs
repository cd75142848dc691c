using Microsoft.Playwright;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

[Collection(nameof(LivePageBrowserTests))]
public sealed class LivePageBrowserTests : LoopbackTest
{
    private const string Chinese = "你好,世界!!!";
    private const string Hostile = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task The_page_loads_history_in_the_order_history_shows_and_adds_a_tcp_message_live_within_a_second()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync("first", "second", "third");
        await using var page = await LivePage.OpenAsync(server.BaseAddress);
        await page.WaitForTextAsync("third", TestTimeouts.Default);

        using (var history = MessageHistory.Open(server.StorePath))
        {
            Assert.Equal(history.Read(HistoryQuery.Default).Select(m => m.Text), await page.TextsAsync());
        }

        // The stream is open once the status says so; then a message must show within a second.
        await Assertions.Expect(page.Page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        using var client = await RawClient.ConnectAsync(server.TcpEndPoint);
        await client.SendAsync("live over tcp\n");
        await page.WaitForTextAsync("live over tcp", TimeSpan.FromSeconds(1));

        Assert.Equal(["first", "second", "third", "live over tcp"], await page.TextsAsync());
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Chinese_text_shows_as_sent_and_html_in_a_message_stays_text()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync(Chinese, Hostile);
        await using var page = await LivePage.OpenAsync(server.BaseAddress);
        await page.WaitForTextAsync(Hostile, TestTimeouts.Default);

        // Live too, not only from history.
        await Assertions.Expect(page.Page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        await server.SendLinesAsync(Hostile + " " + Chinese);
        await page.WaitForTextAsync(Hostile + " " + Chinese, TestTimeouts.Default);

        Assert.Equal([Chinese, Hostile, Hostile + " " + Chinese], await page.TextsAsync());
        Assert.Equal(0, await page.Page.Locator("#messages img").CountAsync());
        Assert.Equal("UTF-8", await page.Page.EvaluateAsync<string>("document.characterSet"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task The_filter_box_hides_what_does_not_match_and_pause_holds_new_messages_until_resumed()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync("apples", "bananas", "apple pie");
        await using var page = await LivePage.OpenAsync(server.BaseAddress);
        await page.WaitForTextAsync("apple pie", TestTimeouts.Default);
        await Assertions.Expect(page.Page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });

        await page.Page.Locator("#filter").FillAsync("APPLE");
        Assert.Equal(["apples", "apple pie"], await page.Page.Locator("#messages .msg:visible .text").AllTextContentsAsync());
        await Assertions.Expect(page.Page.Locator("#count")).ToHaveTextAsync("2 of 3 messages match");
        await page.Page.Locator("#filter").FillAsync(string.Empty);

        await page.Page.Locator("#pause").ClickAsync();
        await server.SendLinesAsync("while paused");
        await Assertions.Expect(page.Page.Locator("#pause")).ToHaveTextAsync("Resume (1 new)", new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        Assert.DoesNotContain("while paused", await page.TextsAsync());

        await page.Page.Locator("#pause").ClickAsync();
        await page.WaitForTextAsync("while paused", TestTimeouts.Default);
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task The_page_shows_the_chat_room_the_connections_and_the_rate_and_is_saved_at_desktop_and_phone_width()
    {
        await using var server = await HttpTestServer.StartAsync(options: TcpMsgServerOptions.Default with { Chat = ChatOptions.Default });
        await using var alice = await PlainChatClient.ConnectAsync(server.TcpEndPoint);
        await using var bob = await PlainChatClient.ConnectAsync(server.TcpEndPoint);
        var sent = 0;
        await alice.SendAsync("/nick alice\n");
        await bob.SendAsync("/nick bob\n");
        // A sensor that reports in bursts over a few seconds, so the plot has a shape.
        using (var sensor = await RawClient.ConnectAsync(server.TcpEndPoint))
        {
            int[] bursts = [4, 9, 15, 7, 12, 20, 10, 6];
            for (var i = 0; i < bursts.Length; i++)
            {
                var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                await sensor.SendAsync(string.Concat(Enumerable.Range(0, bursts[i]).Select(n => $"edge-0{(n % 4) + 1} temp={40 + ((i + n) % 7)}.{n % 10}C load=0.{(i * 7) + n:00}\n")));
                await Eventually.UntilAsync(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() != second, "the next second");
            }

            sent = bursts.Sum();
            await server.Inner.Sink.WaitForMessagesAsync(sent);
        }

        string[] said =
        [
            "morning all", "the deploy went out at 09:12", "你好,世界!!!", "p99 commit latency is 4 ms", Hostile,
            "rsyslog forwarding is on for the edge boxes", "looks good to me", "backup finished: 1.2 GiB",
        ];
        foreach (var line in said)
        {
            await (sent++ % 2 == 0 ? bob : alice).SendAsync(line + "\n");
            await server.Inner.Sink.WaitForMessagesAsync(sent);
        }

        await using var desktop = await LivePage.OpenAsync(server.BaseAddress);
        await desktop.WaitForTextAsync(said[^1], TestTimeouts.Default);
        await Assertions.Expect(desktop.Page.Locator("#members li")).ToHaveTextAsync(["alice", "bob"], new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        await Assertions.Expect(desktop.Page.Locator("#connections li")).ToHaveCountAsync(2, new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        await Assertions.Expect(desktop.Page.Locator("#rate-now")).Not.ToHaveTextAsync("–");
        Assert.Contains("alice", await desktop.Page.Locator("#messages .msg .who").AllTextContentsAsync());

        var directory = Environment.GetEnvironmentVariable("TCPMSG_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var desktopShot = Path.Combine(directory, "live-page-desktop.png");
        await desktop.Page.ScreenshotAsync(new PageScreenshotOptions { Path = desktopShot });

        await using var phone = await LivePage.OpenAsync(server.BaseAddress, width: 390, height: 844, scale: 2, mobile: true);
        await phone.WaitForTextAsync(said[^1], TestTimeouts.Default);
        await Assertions.Expect(phone.Page.Locator("#members li")).ToHaveCountAsync(2, new() { Timeout = (float)TestTimeouts.Default.TotalMilliseconds });
        var phoneShot = Path.Combine(directory, "live-page-phone.png");
        await phone.Page.ScreenshotAsync(new PageScreenshotOptions { Path = phoneShot, FullPage = true });

        // Nothing sticks out sideways on a phone.
        Assert.True(await phone.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        Assert.True(new FileInfo(desktopShot).Length > 10_000);
        Assert.True(new FileInfo(phoneShot).Length > 10_000);
        Assert.Empty(desktop.Errors);
        Assert.Empty(phone.Errors);
    }
}
