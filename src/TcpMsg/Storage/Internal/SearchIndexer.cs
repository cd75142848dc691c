using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// Keeps the trigram index (<c>search</c>) up with the messages, beside the writer and on a
/// connection of its own (<see cref="StoreOptions.SearchIndex"/>): four times a second it indexes
/// what was committed since, in transactions of <see cref="BatchRows"/> messages, and records how
/// far it got (<c>search_state</c>), so that history searches the index up to there and reads only
/// the rest. The writer never waits for it for longer than one such transaction.
/// </summary>
internal sealed partial class SearchIndexer : StoreSideTask
{
    /// <summary>Messages indexed per transaction.</summary>
    public const int BatchRows = 5000;

    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(250);

    // A round stops after this many transactions and lets the writer have the store.
    private const int MaxBatchesPerRound = 20;

    private readonly ILogger _logger;

    public SearchIndexer(string connectionString, TimeSpan busyTimeout, TimeProvider time, ILogger logger, bool start = true)
        : base(connectionString, busyTimeout, s_interval, time)
    {
        _logger = logger;
        if (start)
        {
            Start();
        }
    }

    /// <summary>One round: indexes what is not indexed yet, up to a bound; returns how many messages.</summary>
    protected override long Round(SqliteConnection connection)
    {
        long indexed = 0;
        long count;
        var batches = 0;
        while (batches++ < MaxBatchesPerRound && (count = IndexBatch(connection)) > 0)
        {
            indexed += count;
        }

        return indexed;
    }

    protected override void OnRoundFailed(string reason) => LogRoundFailed(reason);

    private static long IndexBatch(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"""
            INSERT INTO search_state (id, through_id) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
            CREATE TEMP TABLE IF NOT EXISTS fresh (id INTEGER PRIMARY KEY);
            DELETE FROM fresh;
            INSERT INTO fresh SELECT id FROM messages WHERE id > (SELECT through_id FROM search_state) ORDER BY id LIMIT {BatchRows};
            INSERT INTO search (rowid, text) SELECT m.id, m.text FROM fresh AS f JOIN messages AS m ON m.id = f.id;
            UPDATE search_state SET through_id = (SELECT max(id) FROM fresh) WHERE (SELECT count(*) FROM fresh) > 0;
            SELECT count(*) FROM fresh;
            """;
        var count = (long)command.ExecuteScalar()!;
        transaction.Commit();
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the search index could not be brought up to date this time: {Reason}")]
    private partial void LogRoundFailed(string reason);
}
