using System.Globalization;
using System.Text.RegularExpressions;
using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

public sealed partial class SlowMemberTests : LoopbackTest
{
    private const int Padding = 90;

    private readonly TempDirectory _directory = new();

    public override ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task A_member_that_never_reads_is_disconnected_while_100000_messages_reach_the_others_and_the_store()
    {
        const int Total = 100_000;
        // Room enough that members that do read are never left behind on a busy test machine;
        // 100,000 messages are still far more than the stalled member's socket and queue can take.
        var chat = ChatOptions.Default with { MaxQueuedMessages = 20_000, MaxQueuedBytes = 4 * 1024 * 1024 };
        await using var server = await StartAsync(chat);

        // Its receive window is tiny and it never reads: the room must leave it behind.
        await using var stalled = await PlainChatClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        await stalled.SendLineAsync("/nick stalled");
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var bob = await PlainChatClient.ConnectAsync(server.EndPoint);
        await bob.SendLineAsync("/nick bob");
        await bob.ReadUntilAsync("you are now known as bob");
        var bobReading = Task.Run(() => ReadNumbersAsync(bob, Total), Token);

        await using (var sender = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Window = 1024 }, Token))
        {
            for (var i = 1; i <= Total; i++)
            {
                await sender.EnqueueAsync(Text(i), Token);
            }

            await sender.CompleteAsync(Token).WithTimeout(TestTimeouts.Extended);
        }

        var annSaw = await ann.WaitUntilAsync(e => e.OfType<ChatMessage>().Count() == Total, "every message", TestTimeouts.Extended);
        Assert.Equal(Enumerable.Range(1, Total).Select(Text), annSaw.OfType<ChatMessage>().Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, Total), await bobReading.WithTimeout(TestTimeouts.Extended));

        var statistics = server.Server.Statistics;
        Assert.Equal(Total, statistics.MessagesStored);
        using (var history = MessageHistory.Open(_directory.File("chat.db")))
        {
            Assert.Equal(Text(Total), history.Read(HistoryQuery.Default with { Limit = 1 }).Single().Text);
        }

        // The stalled member was disconnected with the reason, and the queue never grew past its bound.
        var events = await server.Sink.WaitUntilAsync(
            e => e.OfType<ClientDisconnected>().Any(d => d.Reason == DisconnectReason.SlowConsumer), what: "the slow member's disconnect");
        var disconnected = events.OfType<ClientDisconnected>().Single(d => d.Reason == DisconnectReason.SlowConsumer);
        Assert.Equal(stalled.LocalEndPoint.Port, disconnected.Connection.RemoteEndPoint!.Port);
        var error = events.OfType<ConnectionError>().Single(e => e.Code == ConnectionErrorCode.SlowConsumer);
        Assert.Contains("(stalled) did not read fast enough (more than 20000 messages or 4096 KiB waiting); disconnected", error.Detail, StringComparison.Ordinal);
        Assert.Equal(1, statistics.SlowClientsDisconnected);
        Assert.InRange(statistics.ChatQueuePeakBytes, 1, chat.MaxQueuedBytes + Padding + 200);
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Left, Name: "stalled", Reason: "too slow" }, "the others told why it left");

        // What the stalled member can still read ends with the reason, then the server's close.
        string? last = null;
        while (await stalled.ReadLineAsync(TestTimeouts.Extended) is { } line)
        {
            last = line;
        }

        Assert.Equal("*** you did not read fast enough (more than 20000 messages or 4096 KiB waiting); disconnected", last);
    }

    [Fact]
    public async Task With_the_drop_policy_a_slow_member_is_told_how_many_messages_it_missed_and_misses_nothing_else()
    {
        const int Total = 20_000;
        var chat = ChatOptions.Default with { SlowClients = SlowClientPolicy.Drop, MaxQueuedMessages = 500, MaxQueuedBytes = 64 * 1024 };
        await using var server = await StartAsync(chat);
        await using var slow = await PlainChatClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        await slow.SendLineAsync("/nick slow");
        await slow.ReadUntilAsync("you are now known as slow");

        // It reads nothing while everything is sent and stored, then catches up.
        await using (var sender = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token))
        {
            for (var i = 1; i <= Total; i++)
            {
                await sender.EnqueueAsync(Text(i), Token);
            }

            await sender.CompleteAsync(Token).WithTimeout(TestTimeouts.Extended);
        }

        var received = new List<int>();
        long dropped = 0;
        var gaps = 0L;
        while (received.LastOrDefault() != Total)
        {
            var line = await slow.ReadLineAsync() ?? throw new InvalidOperationException("the slow member was disconnected");
            if (Skipped().Match(line) is { Success: true } skipped)
            {
                dropped += long.Parse(skipped.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            else if (Number(line) is { } number)
            {
                gaps += number - (received.LastOrDefault() + 1);
                received.Add(number);
            }
        }

        Assert.True(dropped > 0, "nothing was dropped: the test did not make the member slow");
        Assert.Equal(Total, received.Count + dropped);
        Assert.Equal(dropped, gaps);
        Assert.Equal(received.Order(), received);
        Assert.Equal(dropped, server.Server.Statistics.ChatDropped);
        Assert.Equal(0, server.Server.Statistics.SlowClientsDisconnected);
        Assert.Equal(Total, server.Server.Statistics.MessagesStored);
    }

    private static async Task<List<int>> ReadNumbersAsync(PlainChatClient client, int last)
    {
        var numbers = new List<int>(last);
        while (numbers.LastOrDefault() != last)
        {
            var line = await client.ReadLineAsync(TestTimeouts.Extended) ?? throw new InvalidOperationException($"disconnected after {numbers.Count} messages");
            if (Number(line) is { } number)
            {
                numbers.Add(number);
            }
        }

        return numbers;
    }

    private static int? Number(string line)
    {
        var start = line.IndexOf("> ", StringComparison.Ordinal);
        return start > 0 && !line.StartsWith("***", StringComparison.Ordinal) && int.TryParse(line.AsSpan(start + 2, 6), CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private static string Text(int i) => i.ToString("D6", CultureInfo.InvariantCulture) + new string('.', Padding);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task<TestServer> StartAsync(ChatOptions chat) => TestServer.StartAsync(TcpMsgServerOptions.Default with
    {
        Chat = chat,
        Store = StoreOptions.Default with { Path = _directory.File("chat.db"), Durability = Durability.Process },
    });

    [GeneratedRegex(@"^\*\*\* (\d+) message\(s\) were skipped")]
    private static partial Regex Skipped();
}
