using TcpMsg.Storage;
using TcpMsg.Storage.Postgres;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>The feed: every server's commits, in id order, none skipped, woken by NOTIFY.</summary>
public sealed class PostgresFeedTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Two_writers_committing_at_once_are_read_in_id_order_with_no_id_skipped()
    {
        var url = await postgres.NewDatabaseAsync();
        using var first = PostgresMessageStoreTests.Open(url);
        using var second = PostgresMessageStoreTests.Open(url);
        const int Batches = 60;
        const int PerBatch = 50;
        using var feed = new PostgresFeed(url, pollInterval: TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource(TestTimeouts.Extended);
        var read = new List<long>();
        async Task ReadAllAsync()
        {
            await foreach (var message in feed.ReadAsync(0, cancellationToken: cancel.Token))
            {
                read.Add(message.Id);
                if (read.Count == 2 * Batches * PerBatch)
                {
                    return;
                }
            }
        }

        var reading = Task.Run(ReadAllAsync, TestContext.Current.CancellationToken);

        // Two servers' writers at full speed, each batch its own transaction: ids interleave.
        Task Write(PostgresMessageStore store, string name) => Task.Run(
            () =>
            {
                for (var b = 0; b < Batches; b++)
                {
                    store.Append([.. Enumerable.Range(0, PerBatch).Select(i => TestMessages.Confirmed(name, (b * PerBatch) + i + 1, "m"))]);
                }
            },
            TestContext.Current.CancellationToken);
        await Task.WhenAll(Write(first, "a"), Write(second, "b")).WithTimeout(TestTimeouts.Extended);
        await reading.WithTimeout(TestTimeouts.Extended);

        // Every id from 1 once, ascending: a reader reading id > last missed none of the other writer's.
        Assert.Equal(Enumerable.Range(1, 2 * Batches * PerBatch).Select(i => (long)i), read);

        // The poll is 30 s: the test finished in time only because NOTIFY woke the feed.
        Assert.True(feed.Notifications > 0);
    }

    [Fact]
    public async Task The_feed_filters_starts_after_the_id_it_is_given_and_carries_on_across_a_restart_of_postgresql()
    {
        var server = await postgres.ServerAsync();
        var url = await postgres.NewDatabaseAsync();
        using (var store = PostgresMessageStoreTests.Open(url))
        {
            store.Append([TestMessages.Plain("before-1"), TestMessages.Plain("before-2"), TestMessages.Plain("before-3")]);
        }

        using var feed = new PostgresFeed(url, pollInterval: TimeSpan.FromMilliseconds(200));
        using var cancel = new CancellationTokenSource(TestTimeouts.Extended);
        var seen = new List<string>();
        var arrived = new SemaphoreSlim(0);
        async Task ReadAllAsync()
        {
            await foreach (var message in feed.ReadAsync(1, HistoryQuery.Default with { Contains = "e" }, cancel.Token))
            {
                lock (seen)
                {
                    seen.Add(message.Text);
                }

                arrived.Release();
            }
        }

        var reading = Task.Run(ReadAllAsync, TestContext.Current.CancellationToken);
        await WaitForAsync(arrived, 2);
        Assert.Equal(["before-2", "before-3"], Snapshot(seen));

        await server.RestartAsync();
        using (var store = PostgresMessageStoreTests.Open(url))
        {
            store.Append([TestMessages.Plain("xyz"), TestMessages.Plain("after")]);
        }

        await WaitForAsync(arrived, 1);
        Assert.Equal(["before-2", "before-3", "after"], Snapshot(seen));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading).WithTimeout();
    }

    private static async Task WaitForAsync(SemaphoreSlim arrived, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await arrived.WaitAsync(TestTimeouts.Extended, TestContext.Current.CancellationToken), "a message from the feed");
        }
    }

    private static string[] Snapshot(List<string> seen)
    {
        lock (seen)
        {
            return [.. seen];
        }
    }
}
