using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

public sealed class MetricsEndpointTests : LoopbackTest
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_are_prometheus_text_and_move_when_messages_arrive_over_tcp()
    {
        await using var server = await HttpTestServer.StartAsync();
        var before = await ScrapeAsync(server);
        Assert.Equal(0, PrometheusText.Sum(before, "tcpmsg_messages_received_total"));

        await server.SendLinesAsync("one", "two", "three");
        await using (var client = await MessageClient.ConnectAsync("127.0.0.1", server.TcpEndPoint.Port, cancellationToken: Token))
        {
            await client.SendAsync("confirmed", Token).WithTimeout();
        }

        var (after, types) = await ScrapeWithTypesAsync(server);
        Assert.Equal(3, PrometheusText.Sum(after, "tcpmsg_messages_received_total", "framing=\"line\"", "mode=\"plain\""));
        Assert.Equal(1, PrometheusText.Sum(after, "tcpmsg_messages_received_total", "framing=\"confirmed\"", "mode=\"confirmed\""));
        Assert.Equal("counter", types["tcpmsg_messages_received_total"]);
        Assert.True(PrometheusText.Sum(after, "tcpmsg_received_bytes_total") >= "onetwothreeconfirmed".Length);
        Assert.Equal(2, PrometheusText.Sum(after, "tcpmsg_connections_accepted_total"));
        Assert.Contains(after.Keys, k => k.StartsWith("tcpmsg_connections_refused_total{", StringComparison.Ordinal) && k.Contains("reason=\"limit\"", StringComparison.Ordinal));
        Assert.True(PrometheusText.Sum(after, "tcpmsg_acks_sent_total") >= 1);
        Assert.Equal("histogram", types["tcpmsg_store_commit_duration_seconds"]);
        Assert.True(PrometheusText.Sum(after, "tcpmsg_store_commit_duration_seconds_count") >= 2);
        Assert.Contains(after.Keys, k => k.StartsWith("tcpmsg_store_backlog_bytes", StringComparison.Ordinal));
        Assert.Contains(after.Keys, k => k.StartsWith("tcpmsg_connections_open", StringComparison.Ordinal));
        Assert.Contains(after.Keys, k => k.StartsWith("tcpmsg_errors_total{", StringComparison.Ordinal) && k.Contains("kind=\"invalid_utf8\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chat_members_and_lag_are_published_when_the_chat_room_runs()
    {
        await using var server = await HttpTestServer.StartAsync(options: TcpMsg.Server.TcpMsgServerOptions.Default with { Chat = TcpMsg.Server.ChatOptions.Default });
        await using var member = await PlainChatClient.ConnectAsync(server.TcpEndPoint);
        await Eventually.UntilAsync(async () => PrometheusText.Sum(await ScrapeAsync(server), "tcpmsg_chat_members") == 1, "one chat member in the metrics");

        var samples = await ScrapeAsync(server);
        Assert.Contains(samples.Keys, k => k.StartsWith("tcpmsg_chat_lag_max", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_of_one_server_do_not_count_another_servers_messages_in_the_same_process()
    {
        await using var watched = await HttpTestServer.StartAsync();
        await using var other = await HttpTestServer.StartAsync();
        await other.SendLinesAsync("elsewhere", "elsewhere too");
        await watched.SendLinesAsync("here");

        Assert.Equal(1, PrometheusText.Sum(await ScrapeAsync(watched), "tcpmsg_messages_received_total"));
        Assert.Equal(2, PrometheusText.Sum(await ScrapeAsync(other), "tcpmsg_messages_received_total"));
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpTestServer server) => (await ScrapeWithTypesAsync(server)).Samples;

    private static async Task<(Dictionary<string, double> Samples, Dictionary<string, string> Types)> ScrapeWithTypesAsync(HttpTestServer server)
    {
        using var response = await server.Client.GetAsync("metrics", Token).WithTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync(Token).WithTimeout();
        var samples = PrometheusText.Parse(text, out var types);
        return (samples, types);
    }
}
