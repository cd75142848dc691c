using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Client;

/// <summary><see cref="MessageClientOptions.RetryFor"/> is a deadline from the first failure: a WELCOME followed by more failures does not restart it.</summary>
public sealed class RetryDeadlineTests : LoopbackTest
{
    [Fact]
    public async Task A_store_that_keeps_failing_ends_the_retries_when_the_retry_time_is_spent()
    {
        var store = Temp.File("failing.db");
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Store = StoreOptions.Default with { Path = store, BusyTimeout = TimeSpan.FromMilliseconds(50) } });
        using var locker = Lock(store);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = MessageClientOptions.Default with { RetryFor = TimeSpan.FromSeconds(8), TimeProvider = clock };
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, options, Token);
        var start = clock.GetUtcNow();
        var sending = client.SendAsync("never stored", Token);

        // The client's clock moves only as the test moves it: 100 ms per poll, while the sockets are real.
        await Eventually.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                return sending.IsCompleted;
            },
            "the client to give up",
            TestTimeouts.Extended);
        var spent = clock.GetUtcNow() - start;

        var failure = await Assert.ThrowsAsync<TcpMsgException>(() => sending);
        Assert.Equal(TcpMsgErrorCode.StoreFailed, failure.Code);
        Assert.True(client.Statistics.Reconnects >= 2, $"only {client.Statistics.Reconnects} reconnects: the WELCOMEs were not tested");
        Assert.True(spent >= TimeSpan.FromSeconds(8), $"gave up after {spent} of client time, before the retry time");
        Assert.True(spent < TimeSpan.FromSeconds(20), $"gave up only after {spent} of client time");
    }

    private static SqliteConnection Lock(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";
        command.ExecuteNonQuery();
        return connection;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
