using System.Net;
using System.Text.Json;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

public sealed class MessageApiTests : LoopbackTest
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_come_newest_first_or_forward_from_an_id_and_filter_like_history()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync("alpha", "beta 你好", "gamma", "delta 你好");

        var newest = await GetTextsAsync(server, "api/messages?limit=3");
        Assert.Equal(["delta 你好", "gamma", "beta 你好"], newest.Texts);

        var forward = await GetTextsAsync(server, $"api/messages?after_id={newest.Ids[^1]}&limit=2");
        Assert.Equal(["gamma", "delta 你好"], forward.Texts);

        var contains = await GetTextsAsync(server, $"api/messages?contains={Uri.EscapeDataString("你好")}");
        Assert.Equal(["delta 你好", "beta 你好"], contains.Texts);

        var peer = await GetTextsAsync(server, "api/messages?peer=10.9.9.9");
        Assert.Empty(peer.Texts);
        Assert.Equal(4, (await GetTextsAsync(server, "api/messages?peer=127.0.0.1&since=2000-01-01T00:00:00Z")).Texts.Count);

        // The same messages, in the same order, as `tcpmsg history` reads them (oldest first).
        using var history = MessageHistory.Open(server.StorePath);
        Assert.Equal(history.Read(HistoryQuery.Default).Select(m => m.Text), (await GetTextsAsync(server, "api/messages")).Texts.AsEnumerable().Reverse());

        using var bad = await server.Client.GetAsync("api/messages?limit=0", Token).WithTimeout();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_stream_sends_new_messages_and_resumes_after_Last_Event_ID_without_gap_or_duplicate()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync("before the stream");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TestTimeouts.Default);

        var seen = new List<(string? Id, string Text)>();
        using (var stream = await SseReader.OpenAsync(server.Client, "api/stream?after_id=0", null, timeout.Token))
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var first = await stream.NextAsync(timeout.Token);
            seen.Add((first.Id, Text(first.Data)));
            await server.SendLinesAsync("one", "two");
            for (var i = 0; i < 2; i++)
            {
                var next = await stream.NextAsync(timeout.Token);
                Assert.Equal("message", next.Event);
                seen.Add((next.Id, Text(next.Data)));
            }
        }

        Assert.Equal(["before the stream", "one", "two"], seen.Select(s => s.Text));

        // Disconnected after "one" was seen: a browser resumes with the last id it had.
        await server.SendLinesAsync("three", "four");
        using (var resumed = await SseReader.OpenAsync(server.Client, "api/stream", seen[1].Id, timeout.Token))
        {
            var texts = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                texts.Add(Text((await resumed.NextAsync(timeout.Token)).Data));
            }

            Assert.Equal(["two", "three", "four"], texts);
        }
    }

    [Fact]
    public async Task A_stream_without_an_id_starts_at_the_newest_message()
    {
        await using var server = await HttpTestServer.StartAsync();
        await server.SendLinesAsync("old news");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TestTimeouts.Default);
        using var stream = await SseReader.OpenAsync(server.Client, "api/stream", null, timeout.Token);

        // The stream fixed its starting point before its headers arrived.
        var next = stream.NextAsync(timeout.Token);
        await server.SendLinesAsync("fresh");
        Assert.Equal("fresh", Text((await next).Data));
    }

    private static string Text(string data)
    {
        using var document = JsonDocument.Parse(data);
        return document.RootElement.GetProperty("text").GetString()!;
    }

    private static async Task<(List<string> Texts, List<long> Ids)> GetTextsAsync(HttpTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path, Token).WithTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        var messages = document.RootElement.GetProperty("messages").EnumerateArray().ToList();
        return ([.. messages.Select(m => m.GetProperty("text").GetString()!)], [.. messages.Select(m => m.GetProperty("id").GetInt64())]);
    }
}
