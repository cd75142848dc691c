using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Server;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage;

/// <summary>
/// Reads a store, also while a server is writing it (SQLite's WAL lets readers and the writer go on
/// side by side), and follows it as new messages are committed.
/// </summary>
public sealed partial class MessageHistory : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);

    private readonly SqliteConnection _connection;
    private readonly string _path;

    private MessageHistory(SqliteConnection connection, string path)
    {
        _connection = connection;
        _path = path;
    }

    /// <summary>Opens the store at <paramref name="path"/> for reading.</summary>
    /// <exception cref="StoreException">The file does not exist, cannot be read, or is not a tcpmsg store.</exception>
    public static MessageHistory Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new StoreException(StoreFailure.CannotOpen, $"no store at {path} (start `tcpmsg serve` there first, or give --store PATH)");
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
        var messages = Query(query, forward: false);
        messages.Reverse();
        return messages;
    }

    /// <summary>
    /// The first <see cref="HistoryQuery.Limit"/> messages after <see cref="HistoryQuery.AfterId"/> that
    /// match, oldest first: the next page when reading the store forward by id, with no gap.
    /// </summary>
    public IReadOnlyList<StoredMessage> ReadForward(HistoryQuery query) => Query(query, forward: true);

    private List<StoredMessage> Query(HistoryQuery query, bool forward)
    {
        var messages = new List<StoredMessage>();
        using var command = _connection.CreateCommand();
        var where = Filter(command, query);
        var order = forward ? "ASC" : "DESC";
        command.CommandText = $"SELECT id, received_at, peer_address, peer_port, connection_id, framing, text, raw, client_id, seq, sender, client_cert, " +
            $"syslog_format, syslog_facility, syslog_severity, syslog_timestamp, syslog_host, syslog_app, syslog_procid, syslog_msgid, syslog_sd, syslog_body FROM messages{where} ORDER BY id {order} LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit);
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(new StoredMessage(
                    reader.GetInt64(0),
                    SqliteMessageStore.FromMicroseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.GetInt32(3),
                    reader.GetString(4),
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? 0 : reader.GetInt64(9))
                {
                    Sender = reader.IsDBNull(10) ? null : reader.GetString(10),
                    ClientCertificate = reader.IsDBNull(11) ? null : reader.GetString(11),
                    Syslog = ReadSyslog(reader, reader.GetString(6)),
                });
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

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private long DataVersion()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }

    // Columns 12-21: format, facility, severity, timestamp, host, app, procid, msgid, sd, body offset.
    private static SyslogInfo? ReadSyslog(SqliteDataReader reader, string text)
    {
        if (reader.IsDBNull(12))
        {
            return null;
        }

        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var bodyAt = Math.Clamp(reader.GetInt32(21), 0, utf8.Length);
        return new SyslogInfo(reader.GetString(12), reader.GetInt32(13), reader.GetInt32(14), Text(15), Text(16), Text(17), Text(18), Text(19), Text(20),
            Encoding.UTF8.GetString(utf8, bodyAt, utf8.Length - bodyAt));
    }

    private long MaxId()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(id), 0) FROM messages";
        return (long)command.ExecuteScalar()!;
    }

    private static string Filter(SqliteCommand command, HistoryQuery query)
    {
        var where = new StringBuilder();
        void And(string condition) => where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
        if (query.AfterId > 0)
        {
            And("id > $after");
            command.Parameters.AddWithValue("$after", query.AfterId);
        }

        if (query.Since is { } since)
        {
            And("received_at >= $since");
            command.Parameters.AddWithValue("$since", SqliteMessageStore.ToMicroseconds(since));
        }

        if (query.Until is { } until)
        {
            And("received_at < $until");
            command.Parameters.AddWithValue("$until", SqliteMessageStore.ToMicroseconds(until));
        }

        if (query.FromAddress is { } address)
        {
            And("peer_address = $address");
            command.Parameters.AddWithValue("$address", address);
        }

        if (query.FromPort is { } port)
        {
            And("peer_port = $port");
            command.Parameters.AddWithValue("$port", port);
        }

        if (!string.IsNullOrEmpty(query.Contains))
        {
            And("instr(text, $contains) > 0");
            command.Parameters.AddWithValue("$contains", query.Contains);
        }

        if (query.App is { } app)
        {
            And("syslog_app = $app");
            command.Parameters.AddWithValue("$app", app);
        }

        if (query.Host is { } host)
        {
            And("syslog_host = $host");
            command.Parameters.AddWithValue("$host", host);
        }

        if (query.Severity is { } severity)
        {
            // Lower numbers are worse: "warning or worse" is 0 to 4.
            And("syslog_severity <= $severity");
            command.Parameters.AddWithValue("$severity", severity);
        }

        return where.ToString();
    }
}
