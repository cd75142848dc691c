using Npgsql;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Storage;
using TcpMsg.Storage.Postgres;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>The PostgreSQL store on a real PostgreSQL: schema, ids, exactly-once, the data kept as SQLite keeps it.</summary>
public sealed class PostgresMessageStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Messages_get_ascending_ids_and_everything_is_kept()
    {
        var url = await postgres.NewDatabaseAsync();
        var at = new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4560);
        using (var store = Open(url))
        {
            var messages = new[]
            {
                TestMessages.Plain("一", at),
                TestMessages.Plain("\uFFFD", at, raw: [0xFF]),
                TestMessages.Confirmed("c", 1, "confirmed"),
                Syslog("<34>1 2026-11-25T12:00:00Z host app 42 ID47 - 你好"),
            };
            store.Append(messages);
            Assert.Equal([1L, 2L, 3L, 4L], messages.Select(m => m.Id));
            Assert.Equal(1, store.GetLastSequence("c"));
            Assert.Equal(0, store.GetLastSequence("nobody"));
        }

        using var history = MessageHistory.Open(url);
        var stored = history.Read(HistoryQuery.Default);
        Assert.Equal(["一", "\uFFFD", "confirmed", "<34>1 2026-11-25T12:00:00Z host app 42 ID47 - 你好"], stored.Select(m => m.Text));
        Assert.Equal(at, stored[0].ReceivedAt);
        Assert.Equal("127.0.0.1", stored[0].PeerAddress);
        Assert.Equal(40000, stored[0].PeerPort);
        Assert.Equal("test-connection", stored[0].ConnectionId);
        Assert.Equal("line", stored[0].Framing);
        Assert.Equal([0xFF], stored[1].RawBytes);
        Assert.Equal(("c", 1L, "confirmed"), (stored[2].ClientId, stored[2].Sequence, stored[2].Framing));
        Assert.Null(stored[0].Syslog);
        var syslog = stored[3].Syslog!;
        Assert.Equal(("host", "app", "42", "ID47", "你好", 4, 2), (syslog.Host, syslog.App, syslog.ProcId, syslog.MsgId, syslog.Body, syslog.Facility, syslog.Severity));
    }

    [Fact]
    public async Task A_confirmed_message_stored_by_another_server_gets_its_original_id_and_is_marked_duplicate()
    {
        var url = await postgres.NewDatabaseAsync();
        using var first = Open(url);
        using var second = Open(url);
        var sent = new[] { TestMessages.Confirmed("moved", 1, "one"), TestMessages.Confirmed("moved", 2, "two") };
        first.Append(sent);

        // The sender moved to the second server and resent 2, then went on with 3.
        var resent = new[] { TestMessages.Confirmed("moved", 2, "two"), TestMessages.Confirmed("moved", 3, "three"), TestMessages.Plain("plain") };
        second.Append(resent);

        Assert.Equal((2L, true), (resent[0].Id, resent[0].IsDuplicate));
        Assert.Equal((3L, false), (resent[1].Id, resent[1].IsDuplicate));
        Assert.Equal((4L, false), (resent[2].Id, resent[2].IsDuplicate));
        Assert.Equal(3, first.GetLastSequence("moved"));
        Assert.Equal(new Dictionary<long, long> { [1] = 1, [2] = 1, [3] = 1 }, await CountBySequenceAsync(url, "moved"));
    }

    [Fact]
    public async Task Copies_anywhere_in_a_batchs_range_of_sequences_are_found_and_the_rest_stored()
    {
        var url = await postgres.NewDatabaseAsync();
        using var first = Open(url);
        using var second = Open(url);
        var before = new[] { 1, 2, 3, 7 }.Select(s => TestMessages.Confirmed("range", s, "m" + s)).Append(TestMessages.Confirmed("other", 2, "o2")).ToArray();
        first.Append(before);

        var batch = Enumerable.Range(2, 7).Select(s => TestMessages.Confirmed("range", s, "m" + s)).Append(TestMessages.Confirmed("other", 1, "o1")).ToArray();
        second.Append(batch);

        var original = before.ToDictionary(m => (m.ClientId, m.Sequence), m => m.Id);
        Assert.All(batch.Where(m => original.ContainsKey((m.ClientId, m.Sequence))), m => Assert.Equal((original[(m.ClientId, m.Sequence)], true), (m.Id, m.IsDuplicate)));
        Assert.Equal([6L, 7L, 8L, 9L, 10L], batch.Where(m => !m.IsDuplicate).Select(m => m.Id));
        Assert.Equal(Enumerable.Range(1, 8).ToDictionary(s => (long)s, _ => 1L), await CountBySequenceAsync(url, "range"));
        Assert.Equal(new Dictionary<long, long> { [1] = 1, [2] = 1 }, await CountBySequenceAsync(url, "other"));
    }

    [Fact]
    public async Task The_same_sequence_twice_in_one_batch_is_stored_once()
    {
        var url = await postgres.NewDatabaseAsync();
        using var store = Open(url);
        var messages = new[] { TestMessages.Confirmed("twice", 5, "x"), TestMessages.Confirmed("twice", 5, "x"), TestMessages.Confirmed("twice", 6, "y") };
        store.Append(messages);

        Assert.Equal([(1L, false), (1L, true), (2L, false)], messages.Select(m => (m.Id, m.IsDuplicate)));
        Assert.Equal(new Dictionary<long, long> { [5] = 1, [6] = 1 }, await CountBySequenceAsync(url, "twice"));
    }

    [Fact]
    public async Task Several_servers_starting_at_once_migrate_the_schema_once()
    {
        var url = await postgres.NewDatabaseAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => Open(url, open: false)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(store => Task.Run(store.Open))).WithTimeout();
            await using var connection = await ConnectAsync(url);
            await using var command = new NpgsqlCommand("SELECT count(*), max(version) FROM tcpmsg_schema", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
            Assert.Equal((1L, PostgresSchema.CurrentVersion), (reader.GetInt64(0), reader.GetInt32(1)));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_database_made_by_a_newer_tcpmsg_is_refused()
    {
        var url = await postgres.NewDatabaseAsync();
        using (Open(url))
        {
        }

        await using (var connection = await ConnectAsync(url))
        {
            await using var command = new NpgsqlCommand("UPDATE tcpmsg_schema SET version = 99", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var refused = Assert.Throws<StoreException>(() => Open(url));
        Assert.Contains("schema version 99, newer than this tcpmsg understands", refused.Message, StringComparison.Ordinal);
        Assert.Contains("use a newer tcpmsg", MessageHistoryOpenError(url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_with_a_messages_table_of_another_application_is_refused()
    {
        var url = await postgres.NewDatabaseAsync();
        await using (var connection = await ConnectAsync(url))
        {
            await using var command = new NpgsqlCommand("CREATE TABLE messages (body text)", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var refused = Assert.Throws<StoreException>(() => Open(url));
        Assert.Equal(StoreFailure.Corrupt, refused.Failure);
        Assert.Contains("has a messages table that is not a tcpmsg store's", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_that_cannot_get_the_id_lock_within_the_busy_timeout_fails_its_batch_and_the_next_attempt_commits()
    {
        var url = await postgres.NewDatabaseAsync();
        using var store = new PostgresMessageStore(StoreOptions.Default with { Path = url, BusyTimeout = TimeSpan.FromMilliseconds(200) });
        store.Open();
        var messages = new[] { TestMessages.Confirmed("locked", 1, "waits") };
        await using (var other = await ConnectAsync(url))
        {
            // Another server's writer, stuck inside its transaction with the id lock.
            await using var transaction = await other.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.IdLock})", other, transaction);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

            var failed = Assert.Throws<StoreException>(() => store.Append(messages));
            Assert.Equal(StoreFailure.Locked, failed.Failure);
            Assert.Equal((0L, false), (messages[0].Id, messages[0].IsDuplicate));
        }

        store.Append(messages);
        Assert.Equal(1L, messages[0].Id);
        Assert.Equal(new Dictionary<long, long> { [1] = 1 }, await CountBySequenceAsync(url, "locked"));
    }

    [Fact]
    public async Task Retention_and_the_search_index_are_refused_on_postgresql()
    {
        var url = await postgres.NewDatabaseAsync();
        using var store = new PostgresMessageStore(StoreOptions.Default with { Path = url, Retain = TimeSpan.FromDays(1) });
        var refused = Assert.Throws<StoreException>(store.Open);
        Assert.Contains("SQLite store only", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A plain message on a connection whose messages parse as syslog when they start with &lt;PRI&gt;.</summary>
    private static PendingMessage Syslog(string text)
    {
        var batch = new MessageBatch();
        batch.Reset(TestMessages.From("127.0.0.1", 40001), DateTimeOffset.UtcNow, MessageFraming.Line, null, null, null);
        batch.Syslog = SyslogMode.Auto;
        batch.Add(System.Text.Encoding.UTF8.GetBytes(text), null);
        return new PendingMessage(batch, 0);
    }

    internal static PostgresMessageStore Open(string url, bool open = true)
    {
        var store = new PostgresMessageStore(StoreOptions.Default with { Path = url });
        if (open)
        {
            store.Open();
        }

        return store;
    }

    internal static async Task<NpgsqlConnection> ConnectAsync(string url)
    {
        var source = PostgresLocation.Parse(url).CreateDataSource("tcpmsg tests", pooling: false);
        return await source.OpenConnectionAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>How many rows each sequence of <paramref name="clientId"/> has.</summary>
    internal static async Task<Dictionary<long, long>> CountBySequenceAsync(string url, string clientId)
    {
        await using var connection = await ConnectAsync(url);
        await using var command = new NpgsqlCommand("SELECT seq, count(*) FROM messages WHERE client_id = $1 GROUP BY seq", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var counts = new Dictionary<long, long>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            counts[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static string MessageHistoryOpenError(string url) => Assert.Throws<StoreException>(() => MessageHistory.Open(url)).Message;
}
