using System.Text.Json;
using System.Text.RegularExpressions;
using TcpMsg.Client;
using TcpMsg.Tests.Http;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>
/// Two servers on one PostgreSQL store are one room and one stream: a line posted to either reaches
/// the members of both, in the same order on both, and the event stream of one shows what was sent
/// to the other (every server follows the store, not only its own commits).
/// </summary>
public sealed partial class SharedStoreServersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_line_posted_on_one_server_reaches_a_member_on_the_other_and_not_its_poster()
    {
        var store = await postgres.NewDatabaseAsync();
        await using var first = await InProcessCli.ServeAsync("--chat", "--store", store, "--lang", "en");
        await using var second = await InProcessCli.ServeAsync("--chat", "--store", store, "--lang", "en");
        await using var ann = await ChatCollector.JoinAsync(first.Port, "ann");
        await using var bob = await ChatCollector.JoinAsync(second.Port, "bob");

        await ann.Client.PostAsync("hi from the first server", Token).WithTimeout();
        var atBob = (await bob.WaitForMessagesAsync(1)).OfType<ChatMessage>().Single();
        await bob.Client.PostAsync("hi from the second", Token).WithTimeout();
        var atAnn = (await ann.WaitForMessagesAsync(1)).OfType<ChatMessage>().Single();

        Assert.Equal(("ann", "hi from the first server"), (atBob.Sender, atBob.Text));
        Assert.Equal(("bob", "hi from the second"), (atAnn.Sender, atAnn.Text));

        // A plain member on the second server gets the first server's lines too, as lines.
        using var raw = await RawClient.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, second.Port));
        using var reader = new StreamReader(new System.Net.Sockets.NetworkStream(raw.Socket), System.Text.Encoding.UTF8);
        string? line;
        do
        {
            // Its welcome: from here on it is in the room's order.
            line = await reader.ReadLineAsync(Token).AsTask().WithTimeout();
        }
        while (line is not null && !line.StartsWith("*** you are", StringComparison.Ordinal));
        await ann.Client.PostAsync("你好,世界!!!", Token).WithTimeout();
        do
        {
            line = await reader.ReadLineAsync(Token).AsTask().WithTimeout();
        }
        while (line is not null && !line.Contains("你好", StringComparison.Ordinal));
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\] ann> 你好,世界!!!$", line);

        // Nobody got their own message back, and each got the other's once.
        Assert.Equal(["hi from the second"], ann.Messages.Select(m => m.Text));
        await bob.WaitForMessagesAsync(2);
        Assert.Equal(["hi from the first server", "你好,世界!!!"], bob.Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task Members_of_both_servers_see_every_message_in_one_order()
    {
        var store = await postgres.NewDatabaseAsync();
        await using var first = await InProcessCli.ServeAsync("--chat", "--store", store, "--lang", "en");
        await using var second = await InProcessCli.ServeAsync("--chat", "--store", store, "--lang", "en");
        await using var carol = await ChatCollector.JoinAsync(first.Port, "carol");
        await using var dave = await ChatCollector.JoinAsync(second.Port, "dave");
        await using var ann = await ChatCollector.JoinAsync(first.Port, "ann");
        await using var bob = await ChatCollector.JoinAsync(second.Port, "bob");
        const int Each = 200;

        // Two posters on two servers at once: their commits interleave in the shared store.
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < Each; i++) { await ann.Client.PostAsync($"ann {i}", Token); } }, Token),
            Task.Run(async () => { for (var i = 0; i < Each; i++) { await bob.Client.PostAsync($"bob {i}", Token); } }, Token)).WithTimeout(TestTimeouts.Extended);
        await carol.WaitForMessagesAsync(2 * Each, TestTimeouts.Extended);
        await dave.WaitForMessagesAsync(2 * Each, TestTimeouts.Extended);

        var atCarol = carol.Messages.Select(m => m.Text).ToList();
        Assert.Equal(atCarol, dave.Messages.Select(m => m.Text));
        Assert.Equal(2 * Each, atCarol.Distinct().Count());
        Assert.Contains(atCarol.Take(Each), t => t.StartsWith("bob", StringComparison.Ordinal));
        Assert.Equal(carol.Messages.Select(m => m.Id), carol.Messages.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task The_event_stream_of_one_server_shows_a_message_sent_to_the_other()
    {
        var store = await postgres.NewDatabaseAsync();
        await using var first = await InProcessCli.ServeAsync("--store", store, "--lang", "en");
        await using var second = await InProcessCli.ServeAsync("--store", store, "--lang", "en", "--http", "127.0.0.1:0");
        var url = HttpLine().Match(second.Console.ErrorText);
        Assert.True(url.Success, second.Console.ErrorText);
        using var http = new HttpClient { BaseAddress = new Uri(url.Groups["url"].Value), Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);

        // Under the stream's 15 s keep-alive, after which it would read the store again anyway: the
        // other server's commit must wake it.
        timeout.CancelAfter(TimeSpan.FromSeconds(12));
        using var stream = await SseReader.OpenAsync(http, "api/stream", null, timeout.Token);

        await using (var sender = await MessageClient.ConnectAsync("127.0.0.1", first.Port, MessageClientOptions.Default, Token))
        {
            await sender.SendAsync("sent to the first server", Token).WithTimeout();
        }

        var (_, type, data) = await stream.NextAsync(timeout.Token);
        Assert.Equal("message", type);
        Assert.Equal("sent to the first server", JsonDocument.Parse(data).RootElement.GetProperty("text").GetString());
    }

    [GeneratedRegex(@"live page, API and metrics on (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex HttpLine();
}
