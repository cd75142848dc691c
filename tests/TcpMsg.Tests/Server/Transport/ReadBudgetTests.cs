using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Transport;

/// <summary>
/// The server-wide read budget on loopback: unfinished messages longer than the spill threshold
/// need a slot; without one, the connection's socket is not read (the bytes wait in the kernel),
/// and once a slot is free everything arrives, nothing lost. The counters checked are the budget's
/// own and the bytes the sessions have read.
/// </summary>
public sealed class ReadBudgetTests : LoopbackTest
{
    private const int MaxMessage = 256 * 1024;
    private const int First = 40 * 1024;
    private const int Rest = 200 * 1024;

    [Fact]
    public async Task Long_messages_past_the_budget_pause_their_reads_and_none_is_lost_once_it_frees()
    {
        // Room for two long messages at once; four arrive.
        var slot = MaxMessage + (long)ReadBudget.PerConnection;
        var options = TcpMsgServerOptions.Default with { MaxMessageSize = MaxMessage, MaxBufferedBytes = 2 * slot };
        await using var server = await TestServer.StartAsync(options);
        var budget = server.Server.Services.GetRequiredService<ReadBudget>();
        Assert.Equal(2, budget.Slots);

        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await RawClient.ConnectAsync(server.EndPoint));
                await clients[i].SendAsync(Letters(i, First));
            }

            await Eventually.UntilAsync(() => budget.SlotsTaken == 2 && budget.Waiting == 2, "two slots taken and two connections waiting");

            // The rest of each message: the two with a slot read it, the two waiting do not.
            foreach (var (client, i) in clients.Select((c, i) => (c, i)))
            {
                await client.SendAsync(Letters(i, Rest));
            }

            // The waiting two stopped reading once they had a spill's worth, at most their first part.
            var holders = 2L * (First + Rest);
            var waiters = 2L * First;
            var statistics = server.Server.Statistics;
            await Eventually.UntilAsync(
                () => statistics.BytesReceived >= holders + (2 * ReadBudget.SpillThreshold),
                $"the holders' messages read ({statistics.BytesReceived} bytes; {budget.SlotsTaken} slots, {budget.Waiting} waiting)");
            Assert.InRange(statistics.BytesReceived, holders + (2 * ReadBudget.SpillThreshold), holders + waiters);
            Assert.Equal(2, budget.Waiting);
            Assert.Empty(server.Sink.Messages);

            // The ends of the messages: the holders finish and give their slots to the waiting two.
            foreach (var client in clients)
            {
                await client.SendAsync("\n");
            }

            await server.Sink.WaitForMessagesAsync(4);
            foreach (var client in clients)
            {
                Assert.True(await client.ShutdownAndWaitForCloseAsync());
            }

            await server.Sink.WaitForDisconnectsAsync(4);
            Assert.Equal(
                Enumerable.Range(0, 4).Select(i => new string((char)('a' + i), First + Rest)).Order(),
                server.Sink.Texts.Order());
            Assert.True(budget.Waits >= 2, $"{budget.Waits} waits");
            Assert.Equal(0, budget.SlotsTaken);
            Assert.Equal(0, budget.Buffered);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Waiting_for_the_budget_is_the_servers_time_not_the_peers()
    {
        // One slot; a message must finish within 10 s of the peer's time.
        var clock = FakeClock.Create();
        var options = TcpMsgServerOptions.Default with
        {
            MaxMessageSize = 64 * 1024,
            MaxBufferedBytes = 1,
            Security = TcpMsgSecurityOptions.Default with { MessageTimeout = TimeSpan.FromSeconds(10) },
        };
        await using var server = await TestServer.StartAsync(options, time: clock);
        var budget = server.Server.Services.GetRequiredService<ReadBudget>();
        using var slow = await RawClient.ConnectAsync(server.EndPoint);
        await slow.SendAsync(Letters(0, First));
        await Eventually.UntilAsync(() => budget.SlotsTaken == 1, "the slow sender to take the slot");
        using var waiting = await RawClient.ConnectAsync(server.EndPoint);
        await waiting.SendAsync(Letters(1, First));
        await Eventually.UntilAsync(() => budget.Waiting == 1, "the second sender to wait for the slot");

        // The slow sender never ends its message: closed by its own clock. The one waiting is not.
        await clock.AdvanceUntilAsync(
            TimeSpan.FromMilliseconds(500),
            TimeSpan.FromSeconds(30),
            () => server.Sink.OfType<ClientDisconnected>().Count > 0,
            "the slow sender to be closed");
        var closed = Assert.Single(server.Sink.OfType<ClientDisconnected>());
        Assert.Equal(TcpMsgErrorCode.MessageTimeout, closed.Reason);
        Assert.Equal(slow.LocalEndPoint.Port, closed.Connection.RemoteEndPoint!.Port);

        // It took the slot over and finishes its message.
        await Eventually.UntilAsync(() => budget.Waiting == 0 && budget.SlotsTaken == 1, "the waiting sender to take the slot");
        await waiting.SendAsync("\n");
        await server.Sink.WaitForMessagesAsync(1);
        Assert.Equal([new string('b', First)], server.Sink.Texts);
        Assert.True(await waiting.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Last().Reason);
    }

    [Fact]
    public async Task A_message_past_the_maximum_still_closes_its_connection_and_gives_its_slot_back()
    {
        var options = TcpMsgServerOptions.Default with { MaxMessageSize = 64 * 1024 };
        await using var server = await TestServer.StartAsync(options);
        var budget = server.Server.Services.GetRequiredService<ReadBudget>();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(Letters(0, 100 * 1024));

        Assert.True(await client.WaitForServerCloseAsync() || client.LastCloseError is not null);
        var error = (await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the error")).OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, error.Code);
        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(0, budget.SlotsTaken);
        Assert.Equal(0, budget.Buffered);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task Short_messages_pass_through_without_a_slot()
    {
        await using var server = await TestServer.StartAsync();
        var budget = server.Server.Services.GetRequiredService<ReadBudget>();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        var lines = Enumerable.Range(0, 2_000).Select(i => $"line {i} {new string('x', i % 100)}").ToList();

        await client.SendAsync(string.Concat(lines.Select(l => l + "\n")));
        Assert.True(await client.ShutdownAndWaitForCloseAsync());

        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(lines, server.Sink.Texts);
        Assert.Equal(0, budget.Waits);
        Assert.Equal(0, budget.Peak);
    }

    private static byte[] Letters(int i, int count) => Enumerable.Repeat((byte)('a' + i), count).ToArray();
}
