using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// Keeps the store within <see cref="StoreOptions.Retain"/> and <see cref="StoreOptions.MaxSize"/>:
/// once a second, on a connection of its own, it removes the oldest messages in transactions of
/// <see cref="BatchRows"/> rows (each one holds the write lock for a few milliseconds, so the writer
/// waits at most that long), gives the free pages back to the file system, and records how far it
/// removed (the <c>retention</c> row) for <c>history</c> to tell. What it removed is logged at most
/// once a minute.
/// </summary>
internal sealed partial class StoreRetention : StoreSideTask
{
    /// <summary>Rows removed per transaction.</summary>
    public const int BatchRows = 1000;

    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_logInterval = TimeSpan.FromMinutes(1);

    // A round stops after this many batches and lets the writer have the store for a second.
    private const int MaxBatchesPerRound = 50;

    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _unreported;
    private DateTimeOffset _lastLog = DateTimeOffset.MinValue;

    public StoreRetention(string connectionString, StoreOptions options, TimeProvider time, ILogger logger, bool start = true)
        : base(connectionString, options.BusyTimeout, s_interval, time)
    {
        _options = options;
        _time = time;
        _logger = logger;
        if (start)
        {
            Start();
        }
    }

    /// <summary>True when the options ask for any retention.</summary>
    public static bool IsWanted(StoreOptions options) => options.Retain is { } retain && retain > TimeSpan.Zero && retain != Timeout.InfiniteTimeSpan || options.MaxSize > 0;

    /// <summary>One round: removes what is too old, then the oldest while the store is over its size; returns how many messages went.</summary>
    protected override long Round(SqliteConnection connection)
    {
        long removed = 0;
        var batches = 0;
        if (_options.Retain is { } retain && retain > TimeSpan.Zero && retain != Timeout.InfiniteTimeSpan)
        {
            var cutoff = SqliteMessageStore.ToMicroseconds(_time.GetUtcNow() - retain);
            long count;
            while (batches++ < MaxBatchesPerRound && (count = RemoveBatch(connection, cutoff)) > 0)
            {
                removed += count;
            }
        }

        if (_options.MaxSize is > 0 and var max)
        {
            long count;
            while (batches++ < MaxBatchesPerRound && Size(connection, max) > max && (count = RemoveBatch(connection, cutoff: null)) > 0)
            {
                removed += count;
                GiveBackPages(connection);
            }
        }

        if (removed > 0)
        {
            GiveBackPages(connection);
        }

        Report(connection, removed);
        return removed;
    }

    /// <summary>
    /// The store's size as the cap counts it: the pages in use in the database file, plus room for
    /// the write-ahead log (its bound, at most a quarter of the cap). The log file's own length is
    /// not measured: deleting writes to the log, and counting it made retention remove everything.
    /// </summary>
    public static long Size(SqliteConnection connection, long cap)
    {
        var pageSize = Scalar(connection, "PRAGMA page_size");
        var used = (Scalar(connection, "PRAGMA page_count") - Scalar(connection, "PRAGMA freelist_count")) * pageSize;
        return used + Math.Min(WalCheckpointer.LogLimitBytes * 5 / 4, cap / 4);
    }

    protected override void OnRoundFailed(string reason) => LogRoundFailed(reason);

    /// <summary>Removes the oldest <see cref="BatchRows"/> messages (received before <paramref name="cutoff"/>, when given) in one transaction.</summary>
    private static long RemoveBatch(SqliteConnection connection, long? cutoff)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var older = cutoff is null ? string.Empty : " WHERE received_at < $cutoff";
        command.CommandText =
            $"""
            CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL);
            DELETE FROM doomed;
            INSERT INTO doomed SELECT id, received_at FROM messages{older} ORDER BY id LIMIT {BatchRows};
            DELETE FROM syslog WHERE message IN (SELECT id FROM doomed);
            INSERT INTO search (search, rowid, text)
                SELECT 'delete', m.id, m.text FROM doomed AS d JOIN messages AS m ON m.id = d.id
                WHERE d.id <= coalesce((SELECT through_id FROM search_state), 0);
            DELETE FROM messages WHERE id IN (SELECT id FROM doomed);
            INSERT INTO retention (id, through_id, through_time, removed)
                SELECT 1, max(id), max(received_at), count(*) FROM doomed WHERE true HAVING count(*) > 0
                ON CONFLICT (id) DO UPDATE SET through_id = max(through_id, excluded.through_id),
                    through_time = max(through_time, excluded.through_time), removed = removed + excluded.removed;
            SELECT count(*) FROM doomed;
            """;
        if (cutoff is { } c)
        {
            command.Parameters.AddWithValue("$cutoff", c);
        }

        var count = (long)command.ExecuteScalar()!;
        transaction.Commit();
        return count;
    }

    private static void GiveBackPages(SqliteConnection connection)
    {
        // A store made before auto_vacuum was on keeps its free pages and reuses them; this is then a no-op.
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA incremental_vacuum";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
        }
    }

    private void Report(SqliteConnection connection, long removed)
    {
        _unreported += removed;
        var now = _time.GetUtcNow();
        if (_unreported == 0 || now - _lastLog < s_logInterval)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT received_at FROM messages ORDER BY id LIMIT 1";
        var oldest = command.ExecuteScalar() is long at ? SqliteMessageStore.FromMicroseconds(at).ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "none";
        LogRemoved(_unreported, oldest);
        _unreported = 0;
        _lastLog = now;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retention removed {Count} messages; the oldest kept was received {Oldest}")]
    private partial void LogRemoved(long count, string oldest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "retention could not remove old messages this time: {Reason}")]
    private partial void LogRoundFailed(string reason);
}
