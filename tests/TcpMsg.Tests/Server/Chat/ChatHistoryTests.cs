using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

public sealed class ChatHistoryTests : LoopbackTest
{
    [Fact]
    public async Task A_member_joining_gets_the_last_stored_messages_flagged_as_history_then_live_ones()
    {
        await using var server = await StartAsync(ChatOptions.Default with { HistorySize = 5 });
        for (var i = 1; i <= 8; i++)
        {
            await server.Server.PostAsync($"old {i}", Token).WithTimeout();
        }

        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);
        await plain.SendLineAsync("/who");
        await plain.ReadUntilAsync("*** here");
        await ann.WaitForMessagesAsync(5);
        await server.Server.PostAsync("new", Token).WithTimeout();
        var events = await ann.WaitForMessagesAsync(6);

        Assert.Equal(
            ["old 4", "old 5", "old 6", "old 7", "old 8"],
            events.OfType<ChatMessage>().Where(m => m.IsHistory).Select(m => m.Text));
        Assert.IsType<ChatNotice>(events[5]);
        Assert.Equal(("new", false), (events.OfType<ChatMessage>().Last().Text, events.OfType<ChatMessage>().Last().IsHistory));
        await plain.ReadUntilAsync("server> new");

        // Ann joined just before: her join notice is announced through the dispatcher and may reach
        // the plain member that joined right after her, before or after its own lines.
        var lines = plain.Lines.Where(l => l != "*** ann joined").ToList();

        Assert.Equal(["old 4", "old 5", "old 6", "old 7", "old 8"], lines.Take(5).Select(l => l[(l.IndexOf("> ", StringComparison.Ordinal) + 2)..]));
        Assert.StartsWith("*** you are", lines[5], StringComparison.Ordinal);
        Assert.StartsWith("*** here", lines[6], StringComparison.Ordinal);
        Assert.EndsWith("server> new", lines[7], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_sent_while_members_join_are_neither_lost_nor_doubled()
    {
        const int Total = 3000;
        const int History = 50;
        await using var server = await StartAsync(ChatOptions.Default with { HistorySize = History });
        await using var sender = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Window = 64 }, Token);
        var sending = Task.Run(async () =>
        {
            for (var i = 1; i <= Total; i++)
            {
                await sender.EnqueueAsync(i.ToString(CultureInfo.InvariantCulture), Token);
            }

            await sender.CompleteAsync(Token);
        }, Token);

        // Members join while the messages stream: a confirmed and a plain one every 300 messages.
        var confirmed = new List<ChatCollector>();
        var plain = new List<PlainChatClient>();
        for (var stored = 300; stored < Total; stored += 300)
        {
            await server.Sink.WaitForMessagesAsync(stored);
            confirmed.Add(await ChatCollector.JoinAsync(server.Port, $"m{stored}"));
            var raw = await PlainChatClient.ConnectAsync(server.EndPoint);
            await raw.SendLineAsync("/who");
            plain.Add(raw);
        }

        await sending.WithTimeout(TestTimeouts.Extended);
        foreach (var member in confirmed)
        {
            var numbers = (await member.WaitUntilAsync(e => e.OfType<ChatMessage>().Any(m => m.Text == "3000"), "the last message"))
                .OfType<ChatMessage>().ToList();
            AssertContiguousToTheEnd(numbers.Select(m => int.Parse(m.Text, CultureInfo.InvariantCulture)).ToList(), Total);

            // Each joined after 300 or more were stored: exactly the history size came as history, first.
            Assert.Equal(History, numbers.Count(m => m.IsHistory));
            Assert.All(numbers.Take(History), m => Assert.True(m.IsHistory));
            await member.DisposeAsync();
        }

        foreach (var member in plain)
        {
            var numbers = new List<int>();
            while (numbers.LastOrDefault() != Total)
            {
                var line = await member.ReadLineAsync() ?? throw new InvalidOperationException("disconnected");
                if (!line.StartsWith("***", StringComparison.Ordinal))
                {
                    numbers.Add(int.Parse(line[(line.IndexOf("> ", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture));
                }
            }

            AssertContiguousToTheEnd(numbers, Total);
            await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_a_restart_the_history_comes_from_the_store_with_the_senders_names()
    {
        var options = Options(ChatOptions.Default with { HistorySize = 3 });
        await using (var first = await TestServer.StartAsync(options))
        {
            await using var ann = await ChatCollector.JoinAsync(first.Port, "ann");
            for (var i = 1; i <= 4; i++)
            {
                await ann.Client.PostAsync($"said {i}", Token).WithTimeout();
            }

            await ann.Client.CompleteAsync(Token).WithTimeout();
        }

        await using var second = await TestServer.StartAsync(options);
        await using var bob = await ChatCollector.JoinAsync(second.Port, "bob");
        await second.Server.PostAsync("restarted", Token).WithTimeout();
        var messages = (await bob.WaitForMessagesAsync(4)).OfType<ChatMessage>().ToList();

        Assert.Equal(
            [("ann", "said 2", true), ("ann", "said 3", true), ("ann", "said 4", true), ("server", "restarted", false)],
            messages.Select(m => (m.Sender, m.Text, m.IsHistory)));
        Assert.Equal(messages.Select(m => m.Id).Order(), messages.Select(m => m.Id));
    }

    [Fact]
    public async Task A_member_that_reconnects_says_so_keeps_its_name_and_gets_only_what_it_missed()
    {
        await using var server = await StartAsync(ChatOptions.Default with { HistorySize = 20 });
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann", MessageClientOptions.Default with { RetryFor = TimeSpan.FromMinutes(1) });
        await server.Server.PostAsync("before 1", Token).WithTimeout();
        await server.Server.PostAsync("before 2", Token).WithTimeout();
        await ann.WaitForMessagesAsync(2);

        // The server closes every connection as it does when it stops: the client is told, and comes back.
        server.Server.Services.GetRequiredService<ConnectionTracker>().CloseAll(TcpMsgErrorCode.ServerShutdown);
        await ann.WaitUntilAsync(e => e.OfType<ChatNotice>().Any(c => c.Kind == NoticeKind.ConnectionLost), "the loss");
        await server.Server.PostAsync("while away", Token).WithTimeout();
        await ann.WaitUntilAsync(e => e.OfType<ChatNotice>().Any(c => c.Kind == NoticeKind.Reconnected), "the return");
        await server.Server.PostAsync("after", Token).WithTimeout();
        var events = await ann.WaitUntilAsync(e => e.OfType<ChatMessage>().Any(m => m.Text == "after"), "the message after");

        Assert.Equal(["before 1", "before 2", "while away", "after"], events.OfType<ChatMessage>().Select(m => m.Text));
        var back = events.OfType<ChatNotice>().Single(c => c.Kind == NoticeKind.Reconnected);
        Assert.Equal("ann", back.Name);
        Assert.Equal("ann", ann.Client.Name);
        Assert.Contains("shutting down", events.OfType<ChatNotice>().First(c => c.Kind == NoticeKind.ConnectionLost).Reason, StringComparison.Ordinal);
        Assert.Equal(1, ann.Client.Statistics.Reconnects);
    }

    private static void AssertContiguousToTheEnd(List<int> numbers, int last)
    {
        Assert.NotEmpty(numbers);
        Assert.Equal(Enumerable.Range(numbers[0], last - numbers[0] + 1), numbers);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TcpMsgServerOptions Options(ChatOptions chat) => TcpMsgServerOptions.Default with
    {
        Chat = chat,
        Store = StoreOptions.Default with { Path = Temp.File("chat.db"), Durability = Durability.Process },
    };

    private Task<TestServer> StartAsync(ChatOptions chat) => TestServer.StartAsync(Options(chat));
}
