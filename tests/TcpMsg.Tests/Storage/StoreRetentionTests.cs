using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TcpMsg.Server.Internal;
using TcpMsg.Storage;
using TcpMsg.Storage.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage;

/// <summary>--retain and --max-store-size on real store files, with time on a FakeTimeProvider.</summary>
public sealed class StoreRetentionTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(s_start);
    private readonly CollectingLogger _log = new();

    public void Dispose()
    {
        _log.Dispose();
        _directory.Dispose();
    }

    private string StorePath => _directory.File("store.db");

    [Fact]
    public void Messages_older_than_the_retention_go_with_their_syslog_fields_and_history_says_so()
    {
        var options = StoreOptions.Default with { Path = StorePath, Retain = TimeSpan.FromDays(30) };
        using (var store = new SqliteMessageStore(options, _time))
        {
            store.Open();

            // 2,500 messages a day for 40 days; every tenth is syslog.
            for (var day = 0; day < 40; day++)
            {
                store.Append([.. Enumerable.Range(0, 2500).Select(i => Message(day, i))]);
            }
        }

        _time.SetUtcNow(s_start.AddDays(40));
        using var retention = new StoreRetention($"Data Source={StorePath};Pooling=False", options, _time, _log.Factory.CreateLogger("test"), start: false);
        long removed = 0;
        long round;
        while ((round = retention.RunOnce()) > 0)
        {
            removed += round;
        }

        // Days 0-9 are older than 30 days at day 40.
        Assert.Equal(10 * 2500, removed);
        Assert.Equal(30 * 2500L, Scalar("SELECT count(*) FROM messages"));
        Assert.Equal(30 * 250L, Scalar("SELECT count(*) FROM syslog"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM syslog WHERE message NOT IN (SELECT id FROM messages)"));
        Assert.Equal(SqliteMessageStore.ToMicroseconds(s_start.AddDays(10)), Scalar("SELECT min(received_at) FROM messages"));

        using var history = MessageHistory.Open(StorePath);
        var gone = history.Removed();
        Assert.NotNull(gone);
        Assert.Equal((10 * 2500L, 10 * 2500L), (gone.ThroughId, gone.Count));
        Assert.Equal(s_start.AddDays(9).AddSeconds(2499), gone.ThroughTime);
        Assert.True(gone.Covers(HistoryQuery.Default with { Since = s_start.AddDays(5), Limit = 100_000 }, 75_000));
        Assert.False(gone.Covers(HistoryQuery.Default with { Since = s_start.AddDays(20) }, 50));
        Assert.False(gone.Covers(HistoryQuery.Default, 50));
    }

    [Fact]
    public async Task A_store_over_its_cap_loses_its_oldest_messages_and_gives_the_space_back()
    {
        var text = new string('x', 1000);
        var options = StoreOptions.Default with { Path = StorePath, Durability = Durability.Process, MaxSize = 12L * 1024 * 1024 };
        using var store = new SqliteMessageStore(options, _time);
        store.Open();
        for (var batch = 0; batch < 80; batch++)
        {
            store.Append([.. Enumerable.Range(0, 250).Select(_ => TestMessages.Plain(text))]);
        }

        await CheckpointAsync();
        var before = new FileInfo(StorePath).Length;
        Assert.True(before > 20L * 1024 * 1024, $"the store is only {before} bytes");

        using var retention = new StoreRetention($"Data Source={StorePath};Pooling=False", options, _time, _log.Factory.CreateLogger("test"), start: false);
        while (retention.RunOnce() > 0)
        {
        }

        await CheckpointAsync();
        var after = new FileInfo(StorePath).Length + new FileInfo(StorePath + "-wal").Length;
        Assert.True(after <= options.MaxSize, $"the store is {after} bytes after retention");
        // Room for the log is kept within the cap (a quarter of it here), and a batch is 1.3 MB.
        Assert.True(after > options.MaxSize / 2, $"retention removed too much: {after} bytes left");
        Assert.Equal(20_000L, Scalar("SELECT count(*) FROM messages") + Scalar("SELECT removed FROM retention"));

        // The newest are kept, and the writer goes on after them.
        var next = TestMessages.Plain("after retention");
        store.Append([next]);
        Assert.Equal(20_001, next.Id);
    }

    [Fact]
    public void What_was_removed_is_logged_at_most_once_a_minute()
    {
        // Ten messages every 30 s, kept for an hour.
        var options = StoreOptions.Default with { Path = StorePath, Retain = TimeSpan.FromHours(1) };
        using (var store = new SqliteMessageStore(options, _time))
        {
            store.Open();
            for (var k = 0; k < 20; k++)
            {
                store.Append([.. Enumerable.Range(0, 10).Select(i => TestMessages.Plain($"m{k}.{i}", s_start.AddSeconds(30 * k)))]);
            }
        }

        using var retention = new StoreRetention($"Data Source={StorePath};Pooling=False", options, _time, _log.Factory.CreateLogger("test"), start: false);
        List<string> Lines() => [.. _log.Lines.Where(l => l.Contains("retention removed", StringComparison.Ordinal))];

        _time.SetUtcNow(s_start.AddHours(1).AddSeconds(31));
        Assert.Equal(20, retention.RunOnce());
        Assert.Single(Lines());
        Assert.Contains("20 messages", Lines()[0], StringComparison.Ordinal);
        Assert.Contains("2026-12-01 00:01:00Z", Lines()[0], StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(10, retention.RunOnce());
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, retention.RunOnce());
        Assert.Single(Lines());

        // A minute after the first line: the second, with what was removed since.
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(10, retention.RunOnce());
        Assert.Equal(2, Lines().Count);
        Assert.Contains("20 messages", Lines()[1], StringComparison.Ordinal);
        Assert.Contains("2026-12-01 00:02:00Z", Lines()[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_store_removes_old_messages_on_its_own_as_time_passes()
    {
        var options = StoreOptions.Default with { Path = StorePath, Retain = TimeSpan.FromMinutes(10) };
        using var store = new SqliteMessageStore(options, _time);
        store.Open();
        store.Append([TestMessages.Plain("old", s_start)]);
        store.Append([TestMessages.Plain("new", s_start.AddMinutes(9))]);

        // The rounds run once a second of the server's clock.
        await Eventually.UntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return Scalar("SELECT count(*) FROM messages") == 1 || _time.GetUtcNow() > s_start.AddMinutes(20);
            },
            "the old message to be removed");

        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(["new"], history.Read(HistoryQuery.Default).Select(m => m.Text));
    }

    private static PendingMessage Message(int day, int i)
    {
        var batch = new MessageBatch();
        batch.Reset(TestMessages.From("127.0.0.1", 40000 + day), s_start.AddDays(day).AddSeconds(i), TcpMsg.Server.MessageFraming.Line, null, null, null);
        batch.Syslog = TcpMsg.Server.SyslogMode.Auto;
        batch.Add(Encoding.UTF8.GetBytes(i % 10 == 0 ? $"<13>Dec  1 00:00:00 host{day} app: syslog {day}.{i}" : $"plain {day}.{i}"), null);
        return new PendingMessage(batch, 0);
    }

    /// <summary>The whole log into the database file and the log cut to nothing; tried again while the store's own checkpointer is in the way.</summary>
    private async Task CheckpointAsync()
    {
        await Eventually.UntilAsync(
            () =>
            {
                using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                using var reader = command.ExecuteReader();
                return reader.Read() && reader.GetInt64(0) == 0;
            },
            "a checkpoint that copied and truncated the whole log");
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
