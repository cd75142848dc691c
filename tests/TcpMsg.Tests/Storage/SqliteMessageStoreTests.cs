using Microsoft.Data.Sqlite;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

public sealed class SqliteMessageStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_new_store_gets_the_current_schema_in_wal_mode()
    {
        using var store = Open();

        Assert.Equal("wal", store.ReadPragma("journal_mode"));
        Assert.Equal(SqliteSchema.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), store.ReadPragma("user_version"));
    }

    [Theory]
    [InlineData(Durability.Fsync, "2")]
    [InlineData(Durability.Process, "1")]
    public void Durability_sets_the_synchronous_pragma(Durability durability, string synchronous)
    {
        // FULL (2) syncs the WAL at each commit; NORMAL (1) leaves that to the OS.
        using var store = Open(durability);

        Assert.Equal(synchronous, store.ReadPragma("synchronous"));
    }

    [Fact]
    public async Task Checkpoints_run_beside_the_writer_and_the_log_starts_again_once_copied()
    {
        using var store = Open(Durability.Process);

        // SQLite's automatic checkpoint is off: the writer's own bound takes its place.
        Assert.Equal("0", store.ReadPragma("wal_autocheckpoint"));

        // 12 batches of 500 messages of 1 KB (6 MB in all, above the writer's bound). After each, a
        // checkpoint that began after it copies the whole log; the next batch then starts the log
        // again from its beginning, so the file stays about one batch long.
        var text = new string('x', 1000);
        var checkpointer = store.Checkpointer!;
        for (var batch = 0; batch < 12; batch++)
        {
            store.Append([.. Enumerable.Range(0, 500).Select(_ => TestMessages.Plain(text, DateTimeOffset.UtcNow))]);
            var after = checkpointer.Checkpoints + 1;
            await Eventually.UntilAsync(
                () => checkpointer.Checkpoints > after && checkpointer.Last is { Log: > 0 } last && last.Copied == last.Log,
                "a checkpoint that copied the whole log");
        }

        var log = new FileInfo(StorePath + "-wal").Length;
        Assert.True(log < 2 * 1024 * 1024, $"the log grew to {log} bytes");
        Assert.Equal(0, checkpointer.Failures);
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(6000, history.Read(HistoryQuery.Default with { Limit = 10_000 }).Count);
    }

    [Fact]
    public void Messages_get_ascending_ids_and_everything_is_kept()
    {
        var at = new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4560);
        using (var store = Open())
        {
            var messages = new[]
            {
                TestMessages.Plain("一", at),
                TestMessages.Plain("\uFFFD", at, raw: [0xFF]),
                TestMessages.Confirmed("c", 1, "confirmed"),
            };
            store.Append(messages);

            Assert.Equal([1L, 2L, 3L], messages.Select(m => m.Id));
        }

        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default);
        Assert.Equal(["一", "\uFFFD", "confirmed"], stored.Select(m => m.Text));
        Assert.Equal(at, stored[0].ReceivedAt);
        Assert.Equal("127.0.0.1", stored[0].PeerAddress);
        Assert.Equal(40000, stored[0].PeerPort);
        Assert.Equal("line", stored[0].Framing);
        Assert.Null(stored[0].RawBytes);
        Assert.Equal([0xFF], stored[1].RawBytes);
        Assert.Equal(("c", 1L, "confirmed"), (stored[2].ClientId, stored[2].Sequence, stored[2].Framing));
    }

    [Fact]
    public void The_store_itself_rejects_a_second_copy_of_a_confirmed_message()
    {
        using var store = Open();
        var first = TestMessages.Confirmed("sender", 7, "once");
        store.Append([first]);

        var again = TestMessages.Confirmed("sender", 7, "once");
        var next = TestMessages.Confirmed("sender", 8, "twice?");
        store.Append([again, next]);

        Assert.True(again.IsDuplicate);
        Assert.Equal(first.Id, again.Id);
        Assert.False(next.IsDuplicate);
        Assert.Equal(8, store.GetLastSequence("sender"));
        Assert.Equal(0, store.GetLastSequence("nobody"));
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(2, history.Read(HistoryQuery.Default).Count);
    }

    [Fact]
    public void A_copy_inside_a_large_batch_is_skipped_and_the_rest_are_stored_in_order()
    {
        using var store = Open();
        var first = TestMessages.Confirmed("bulk", 50, "fifty");
        store.Append([first]);

        // 100 messages go in several rows per statement; the copy of 50 makes its statement fall back.
        var batch = Enumerable.Range(1, 100).Select(i => TestMessages.Confirmed("bulk", i, $"m{i}")).ToArray();
        store.Append(batch);

        Assert.True(batch[49].IsDuplicate);
        Assert.Equal(first.Id, batch[49].Id);
        Assert.Equal(99, batch.Count(m => !m.IsDuplicate));
        Assert.Equal(Enumerable.Range(2, 99).Select(i => (long)i), batch.Where(m => !m.IsDuplicate).Select(m => m.Id));
        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default with { Limit = 1000 });
        Assert.Equal(100, stored.Count);
        Assert.Equal(["fifty", "m1", "m2"], stored.Take(3).Select(m => m.Text));
        Assert.Single(stored.Select(m => m.ConnectionId).Distinct());
    }

    [Fact]
    public void Reopening_keeps_the_data_and_migrates_nothing_twice()
    {
        using (var store = Open())
        {
            store.Append([TestMessages.Plain("survives")]);
        }

        using (var again = Open())
        {
            again.Append([TestMessages.Plain("second")]);
        }

        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(["survives", "second"], history.Read(HistoryQuery.Default).Select(m => m.Text));
    }

    [Fact]
    public void A_version_1_store_is_migrated_in_place_and_keeps_its_messages()
    {
        // The schema as the first release wrote it, with one message in it.
        using (var old = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText =
                """
                CREATE TABLE messages (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, peer_address TEXT NOT NULL,
                    peer_port INTEGER NOT NULL, connection_id TEXT NOT NULL, framing TEXT NOT NULL, text TEXT NOT NULL,
                    raw BLOB, client_id TEXT, seq INTEGER);
                CREATE UNIQUE INDEX messages_sender_seq ON messages (client_id, seq);
                CREATE INDEX messages_received_at ON messages (received_at);
                CREATE INDEX messages_peer ON messages (peer_address, peer_port);
                INSERT INTO messages VALUES (1, 0, '127.0.0.1', 1, 'c', 'confirmed', 'from version 1', NULL, 'old', 1);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        using (var store = Open())
        {
            Assert.Equal(SqliteSchema.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), store.ReadPragma("user_version"));
            var again = TestMessages.Confirmed("old", 1, "from version 1");
            var next = TestMessages.Confirmed("old", 2, "after the migration");
            store.Append([again, next]);
            Assert.True(again.IsDuplicate);
            Assert.Equal(1, again.Id);
            Assert.Equal(2, next.Id);
        }

        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(["from version 1", "after the migration"], history.Read(HistoryQuery.Default).Select(m => m.Text));
    }

    [Fact]
    public void A_sqlite_file_of_another_application_is_refused()
    {
        using (var other = new SqliteConnection($"Data Source={StorePath}"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE customers (name TEXT)";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = new SqliteMessageStore(StoreOptions.Default with { Path = StorePath });
        var error = Assert.Throws<StoreException>(store.Open);
        Assert.Equal(StoreFailure.Corrupt, error.Failure);
        Assert.Contains("not a tcpmsg store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_from_a_newer_tcpmsg_is_refused()
    {
        using (var newer = new SqliteConnection($"Data Source={StorePath}"))
        {
            newer.Open();
            using var command = newer.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        using var store = new SqliteMessageStore(StoreOptions.Default with { Path = StorePath });
        var error = Assert.Throws<StoreException>(store.Open);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_locked_store_fails_the_commit_keeps_nothing_and_recovers_when_released()
    {
        using var store = Open() ;
        store.Append([TestMessages.Plain("before")]);
        using var locker = new SqliteConnection($"Data Source={StorePath}");
        locker.Open();
        using var transaction = locker.BeginTransaction(System.Data.IsolationLevel.Serializable);
        using (var write = locker.CreateCommand())
        {
            write.Transaction = transaction;
            write.CommandText = "INSERT INTO messages (received_at, connection, text) VALUES (0, 1, 'lock')";
            write.ExecuteNonQuery();
        }

        var blocked = TestMessages.Plain("blocked");
        var error = Assert.Throws<StoreException>(() => store.Append([blocked]));
        Assert.Equal(StoreFailure.Locked, error.Failure);
        Assert.Equal(0, blocked.Id);

        transaction.Rollback();
        store.Append([blocked]);
        Assert.True(blocked.Id > 0);
    }

    private string StorePath => _directory.File("store.db");

    private SqliteMessageStore Open(Durability durability = Durability.Fsync)
    {
        var store = new SqliteMessageStore(StoreOptions.Default with { Path = StorePath, Durability = durability, BusyTimeout = TimeSpan.FromMilliseconds(100) });
        store.Open();
        return store;
    }
}
