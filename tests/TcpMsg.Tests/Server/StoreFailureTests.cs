using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class StoreFailureTests : LoopbackTest
{
    private readonly CapturingLoggerProvider _log = new();

    [Fact]
    public async Task A_locked_store_refuses_confirmed_messages_holds_plain_ones_says_so_once_and_recovers_by_itself()
    {
        await using var server = await StartAsync();
        using var plain = await RawClient.ConnectAsync(server.EndPoint);
        await plain.SendAsync("stored before\n");
        await server.Sink.WaitForMessagesAsync(1);

        // Another process holds the write lock: every commit now fails after the busy timeout.
        using var locker = Lock();
        await plain.SendAsync("held while locked\n");
        await Eventually.UntilAsync(() => server.Server.Statistics.StoreFailing, "the store to fail");
        await using var confirmed = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);
        var refused = await Assert.ThrowsAsync<TcpMsgException>(() => confirmed.SendAsync("refused", Token).WithTimeout());
        await using var patient = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { RetryFor = TestTimeouts.Default }, Token);
        var retried = patient.SendAsync("retried until stored", Token);

        Assert.Equal(TcpMsgErrorCode.StoreFailed, refused.Code);
        Assert.NotNull(refused.Reason);
        Assert.Equal(["stored before"], server.Sink.Texts);

        locker.Dispose();
        await retried.WithTimeout();
        await server.Sink.WaitUntilAsync(e => e.OfType<ReceivedMessage>().Any(m => m.Text == "held while locked"), what: "the held message");

        Assert.False(server.Server.Statistics.StoreFailing);
        Assert.Equal(1, _log.Entries.Count(e => e.Level == LogLevel.Error && e.Message.StartsWith("store failed", StringComparison.Ordinal)));
        Assert.Contains(_log.Entries, e => e.Message.StartsWith("store recovered", StringComparison.Ordinal));
        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default).Select(m => m.Text).ToList();
        Assert.Equal(["held while locked", "retried until stored", "stored before"], stored.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("refused", stored);
        Assert.Equal(3, stored.Count);
    }

    [Fact]
    public async Task A_store_made_read_only_while_running_fails_cleanly_closes_the_connection_and_recovers_when_writable_again()
    {
        await using var server = await StartAsync();
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);
        await client.SendAsync("writable", Token).WithTimeout();
        Assert.SkipUnless(Chattr("+i"), "chattr +i is not available on this file system (root and ext4 or similar needed)");
        try
        {
            var error = await Assert.ThrowsAsync<TcpMsgException>(() => client.SendAsync("read-only", Token).WithTimeout());
            Assert.Equal(TcpMsgErrorCode.StoreFailed, error.Code);
        }
        finally
        {
            Chattr("-i");
        }

        // The failure closed the connection (nothing of it may commit past the failed message): a new one.
        await using var next = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);
        await next.SendAsync("writable again", Token).WithTimeout(TestTimeouts.Extended);

        Assert.Equal(["writable", "writable again"], server.Sink.Texts);
    }

    private SqliteConnection Lock()
    {
        var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";
        command.ExecuteNonQuery();
        return connection;
    }

    // Immutable files refuse writes even through descriptors that are already open, even for root.
    // Not the -shm file: SQLite maps it into memory, and a write to an immutable mapping is SIGBUS.
    private bool Chattr(string flag)
    {
        if (ExternalTools.Find("chattr") is not { } chattr)
        {
            return false;
        }

        var files = new[] { StorePath, StorePath + "-wal" }.Where(File.Exists).ToArray();
        using var process = Process.Start(new ProcessStartInfo(chattr, [flag, .. files]) { RedirectStandardError = true })!;
        return process.WaitForExit(TestTimeouts.Default) && process.ExitCode == 0;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string StorePath => Temp.File("failing.db");

    private Task<TestServer> StartAsync()
    {
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Information));
        return TestServer.StartAsync(
            TcpMsgServerOptions.Default with { Store = StoreOptions.Default with { Path = StorePath, BusyTimeout = TimeSpan.FromMilliseconds(200) } },
            loggerFactory: loggerFactory);
    }
}
