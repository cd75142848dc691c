using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>Two servers on one PostgreSQL store, in process: a sender that moves between them.</summary>
public sealed class PostgresServersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_sender_that_stored_through_another_server_is_welcomed_with_the_stores_last_sequence()
    {
        var url = await postgres.NewDatabaseAsync();
        var options = TcpMsgServerOptions.Default with { Store = StoreOptions.Default with { Path = url } };
        await using var a = await TestServer.StartAsync(options);
        await using var b = await TestServer.StartAsync(options);
        var client = MessageClientOptions.Default with { ClientId = "mover" };

        // 1-3 through A (A now remembers the sender at 3), 4-6 through B.
        await SendAsync(a, client, "one", "two", "three");
        await SendAsync(b, client, "four", "five", "six");

        // A new run of the sender (an empty window) back on A: A must not say 3 from memory, or the
        // run would number its new messages 4, 5, 6 and they would be taken for duplicates.
        var ids = await SendAsync(a, client, "seven", "eight");
        Assert.All(ids, id => Assert.True(id > 0));

        using var history = MessageHistory.Open(url);
        var stored = history.Read(HistoryQuery.Default with { ClientId = "mover" });
        Assert.Equal(["one", "two", "three", "four", "five", "six", "seven", "eight"], stored.Select(m => m.Text));
        Assert.Equal([7L, 8L], stored.Where(m => ids.Contains(m.Id)).Select(m => m.Sequence));
        Assert.Equal(
            Enumerable.Range(1, 8).ToDictionary(s => (long)s, _ => 1L),
            await PostgresMessageStoreTests.CountBySequenceAsync(url, "mover"));
    }

    private static async Task<long[]> SendAsync(TestServer server, MessageClientOptions options, params string[] texts)
    {
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, options, TestContext.Current.CancellationToken);
        var ids = new List<long>();
        foreach (var text in texts)
        {
            ids.Add(await client.SendAsync(text, TestContext.Current.CancellationToken).WithTimeout());
        }

        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();
        return [.. ids];
    }
}
