using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Storage.Internal;
using TcpMsg.Storage.Postgres;

namespace TcpMsg.Storage;

/// <summary>
/// Reads a store, also while a server is writing it (SQLite's WAL lets readers and the writer go on
/// side by side; PostgreSQL is shared by several servers), and follows it as new messages are committed.
/// </summary>
public sealed partial class MessageHistory : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);

    // Messages outside (CROSS JOIN keeps them the outer loop, in id order, so LIMIT stops early), their
    // connection's row and syslog fields looked up by key.
    private const string Select =
        "SELECT m.id, m.received_at, c.peer_address, c.peer_port, c.connection_id, c.framing, m.text, m.raw, m.client_id, m.seq, m.sender, c.client_cert, " +
        "s.format, s.facility, s.severity, s.timestamp, s.host, s.app, s.procid, s.msgid, s.sd, s.body " +
        "FROM messages AS m CROSS JOIN connections AS c ON c.id = m.connection LEFT JOIN syslog AS s ON s.message = m.id";

    private readonly SqliteConnection _connection;
    private readonly string _path;

    // PostgreSQL: the reader that does the work; null on SQLite.
    private readonly PostgresHistory? _postgres;

    private MessageHistory(SqliteConnection connection, string path)
    {
        _connection = connection;
        _path = path;
    }

    private MessageHistory(PostgresHistory postgres)
    {
        _postgres = postgres;
        _connection = null!;
        _path = postgres.Location.Display;
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/> for reading: a SQLite file, or a PostgreSQL
    /// location as <see cref="StoreOptions.Path"/> takes it (its password from PGPASSWORD or .pgpass).
    /// </summary>
    /// <exception cref="TcpMsgException">The file does not exist, cannot be read, or is not a tcpmsg store.</exception>
    public static MessageHistory Open(string path) => Open(path, passwordFile: null);

    /// <summary>Opens the store <paramref name="options"/> name (<see cref="StoreOptions.Path"/> and <see cref="StoreOptions.PasswordFile"/>) for reading.</summary>
    /// <exception cref="TcpMsgException">The store does not exist, cannot be read, or is not a tcpmsg store.</exception>
    public static MessageHistory Open(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Open(options.Path, options.PasswordFile);
    }

    /// <summary>True when <paramref name="options"/> name a store that can be read: a SQLite file that exists, or a PostgreSQL database.</summary>
    internal static bool MayExist(StoreOptions options) => PostgresLocation.IsPostgres(options.Path) || File.Exists(options.Path);

    private static MessageHistory Open(string path, string? passwordFile)
    {
        if (PostgresLocation.IsPostgres(path))
        {
            return new MessageHistory(PostgresHistory.Open(path, passwordFile));
        }

        if (!File.Exists(path))
        {
            throw new StoreException(StoreFailure.CannotOpen, $"no store at {path} (no server has stored there yet)");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(path),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            var version = SqliteSchema.ReadVersion(connection);
            if (version == 0 || version > SqliteSchema.CurrentVersion)
            {
                throw new StoreException(StoreFailure.Corrupt, $"{path} is not a tcpmsg store this version can read (schema {version})");
            }

            if (version < SqliteSchema.CurrentVersion)
            {
                throw new StoreException(
                    StoreFailure.Other,
                    $"{path} was written by an older tcpmsg (schema {version}); a server started once with it as its store upgrades it in place, then it can be read");
            }

            return new MessageHistory(connection, path);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw SqliteErrors.Translate(ex, path, "cannot read");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The newest <see cref="HistoryQuery.Limit"/> messages that match, oldest first.</summary>
    public IReadOnlyList<StoredMessage> Read(HistoryQuery query)
    {
        if (_postgres is not null)
        {
            var newest = _postgres.Query(query, forward: false);
            newest.Reverse();
            return newest;
        }

        var messages = Query(query, forward: false);
        messages.Reverse();
        return messages;
    }

    /// <summary>How many stored messages match <paramref name="query"/> (its <see cref="HistoryQuery.Limit"/> does not apply).</summary>
    public long Count(HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (_postgres is not null)
        {
            return _postgres.Count(query);
        }

        using var command = _connection.CreateCommand();
        var where = Filter(command, query);
        // Only the tables the filter reads: a count without filters reads the smallest index of messages.
        var connections = where.Contains(" c.", StringComparison.Ordinal) ? " CROSS JOIN connections AS c ON c.id = m.connection" : string.Empty;
        var syslog = where.Contains(" s.", StringComparison.Ordinal) ? " LEFT JOIN syslog AS s ON s.message = m.id" : string.Empty;
        command.CommandText = $"SELECT count(*) FROM messages AS m{connections}{syslog}{where}";
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _path, "cannot read");
        }
    }

    /// <summary>
    /// The first <see cref="HistoryQuery.Limit"/> messages after <see cref="HistoryQuery.AfterId"/> that
    /// match, oldest first: the next page when reading the store forward by id, with no gap.
    /// </summary>
    public IReadOnlyList<StoredMessage> ReadForward(HistoryQuery query) => _postgres?.Query(query, forward: true) ?? Query(query, forward: true);

    private List<StoredMessage> Query(HistoryQuery query, bool forward)
    {
        var messages = new List<StoredMessage>();
        using var command = _connection.CreateCommand();
        var where = Filter(command, query);
        var order = forward ? "ASC" : "DESC";
        command.CommandText = $"{Select}{where} ORDER BY m.id {order} LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit);
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(StoredRows.Read(reader, SqliteMessageStore.FromMicroseconds(reader.GetInt64(1))));
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _path, "cannot read");
        }

        return messages;
    }

    /// <summary>
    /// The messages <see cref="Read"/> returns, then every new matching message as it is committed,
    /// until <paramref name="cancellationToken"/> fires. Commits are noticed by polling SQLite's
    /// data version, which costs nothing when nothing changed.
    /// </summary>
    public async IAsyncEnumerable<StoredMessage> FollowAsync(HistoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (_postgres is not null)
        {
            await foreach (var message in FollowPostgresAsync(_postgres, query, cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }

            yield break;
        }

        // One snapshot for the first page and the point to follow from, so nothing committed in
        // between is shown twice or skipped.
        IReadOnlyList<StoredMessage> first;
        long lastId;
        long version;
        using (var snapshot = _connection.BeginTransaction(deferred: true))
        {
            version = DataVersion();
            first = Read(query);
            lastId = Math.Max(query.AfterId, MaxId());
            snapshot.Commit();
        }

        foreach (var message in first)
        {
            yield return message;
        }

        using var timer = new PeriodicTimer(s_pollInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var current = DataVersion();
            if (current == version)
            {
                continue;
            }

            version = current;
            IReadOnlyList<StoredMessage> fresh;
            do
            {
                fresh = ReadForward(query with { AfterId = lastId, Limit = 1000 });
                foreach (var message in fresh)
                {
                    lastId = message.Id;
                    yield return message;
                }
            }
            while (fresh.Count == 1000);
        }
    }

    /// <summary>
    /// On PostgreSQL: the newest page, then the feed from the newest id it saw. A commit between the
    /// two reads has a higher id than the page's (ids become visible in id order), so the feed gives
    /// it: nothing is skipped, nothing shown twice.
    /// </summary>
    private static async IAsyncEnumerable<StoredMessage> FollowPostgresAsync(PostgresHistory postgres, HistoryQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var maxId = postgres.MaxId();
        var first = postgres.Query(query, forward: false);
        first.Reverse();
        foreach (var message in first)
        {
            yield return message;
        }

        var from = Math.Max(query.AfterId, Math.Max(maxId, first.Count > 0 ? first[^1].Id : 0));
        using var feed = new PostgresFeed(postgres.Location.Source, postgres.Location.PasswordFile);
        await foreach (var message in feed.ReadAsync(from, query, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    /// <summary>How far the search index is kept (<see cref="StoreOptions.SearchIndex"/>); 0 when it is not.</summary>
    private long IndexedThrough()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT coalesce((SELECT through_id FROM search_state WHERE id = 1), 0)";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Whether the range <paramref name="query"/> asked for reaches into what the server's retention
    /// removed (<see cref="StoreOptions"/>' age and size limits), given that <paramref name="returned"/>
    /// messages came back: the receive time up to which messages were removed, or null when the answer
    /// is whole.
    /// </summary>
    /// <exception cref="TcpMsgException">The store could not be read.</exception>
    public DateTimeOffset? RemovedThrough(HistoryQuery query, int returned) =>
        Removed() is { } removed && removed.Covers(query, returned) ? removed.ThroughTime : null;

    /// <summary>What retention has removed from this store so far; null when nothing was.</summary>
    internal RemovedMessages? Removed()
    {
        if (_postgres is not null)
        {
            // Retention is the SQLite store's only.
            return null;
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT through_id, through_time, removed FROM retention WHERE id = 1";
        try
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? new RemovedMessages(reader.GetInt64(0), SqliteMessageStore.FromMicroseconds(reader.GetInt64(1)), reader.GetInt64(2)) : null;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _path, "cannot read");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _postgres?.Dispose();
        _connection?.Dispose();
    }

    private long DataVersion()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }

    private long MaxId()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM messages";
        return (long)command.ExecuteScalar()!;
    }

    private string Filter(SqliteCommand command, HistoryQuery query)
    {
        var where = new StringBuilder();
        void And(string condition) => where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
        if (query.AfterId > 0)
        {
            And("m.id > $after");
            command.Parameters.AddWithValue("$after", query.AfterId);
        }

        if (query.Since is { } since)
        {
            // The bound on the id is implied by the time (every match has an id at least this) and
            // lets the scan in id order start there; the received_at index finds it.
            And("m.received_at >= $since AND m.id >= coalesce((SELECT min(id) FROM messages INDEXED BY messages_received_at WHERE received_at >= $since), 0)");
            command.Parameters.AddWithValue("$since", SqliteMessageStore.ToMicroseconds(since));
        }

        if (query.Until is { } until)
        {
            And("m.received_at < $until AND m.id <= coalesce((SELECT max(id) FROM messages INDEXED BY messages_received_at WHERE received_at < $until), 0)");
            command.Parameters.AddWithValue("$until", SqliteMessageStore.ToMicroseconds(until));
        }

        if (query.FromAddress is { } address)
        {
            And("c.peer_address = $address");
            command.Parameters.AddWithValue("$address", address);
        }

        if (query.FromPort is { } port)
        {
            And("c.peer_port = $port");
            command.Parameters.AddWithValue("$port", port);
        }

        if (query.ClientId is { } clientId)
        {
            // The index of confirmed senders, (client_id, seq).
            And("m.client_id = $client");
            command.Parameters.AddWithValue("$client", clientId);
        }

        if (!string.IsNullOrEmpty(query.Contains))
        {
            var indexed = query.Contains.EnumerateRunes().Count() >= 3 ? IndexedThrough() : 0;
            if (indexed > 0)
            {
                // The trigram index finds the candidates up to where it is kept (LIKE is its
                // substring query: case-insensitive, and the user's % and _ become "any
                // character"), the rest is read; instr then keeps the exact, case-sensitive matches.
                And("m.id IN (SELECT rowid FROM search WHERE search.text LIKE $like UNION ALL SELECT id FROM messages WHERE id > $indexed)");
                command.Parameters.AddWithValue("$like", "%" + query.Contains.Replace('%', '_') + "%");
                command.Parameters.AddWithValue("$indexed", indexed);
            }

            And("instr(m.text, $contains) > 0");
            command.Parameters.AddWithValue("$contains", query.Contains);
        }

        if (query.App is { } app)
        {
            And("s.app = $app");
            command.Parameters.AddWithValue("$app", app);
        }

        if (query.Host is { } host)
        {
            And("s.host = $host");
            command.Parameters.AddWithValue("$host", host);
        }

        if (query.Severity is { } severity)
        {
            // Lower numbers are worse: "warning or worse" is 0 to 4.
            And("s.severity <= $severity");
            command.Parameters.AddWithValue("$severity", severity);
        }

        return where.ToString();
    }
}
