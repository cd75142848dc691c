using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage;

/// <summary>
/// Reads a store, also while a server is writing it (SQLite's WAL lets readers and the writer go on
/// side by side), and follows it as new messages are committed.
/// </summary>
public sealed class MessageHistory : IDisposable
{
    private const string Columns = "id, received_at, peer_address, peer_port, connection_id, framing, text, raw, client_id, seq, sender, client_cert";

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
        using var command = _connection.CreateCommand();
        var where = Filter(command, query);
        command.CommandText = $"SELECT {Columns} FROM messages{where} ORDER BY id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit);
        var messages = ReadAll(command);
        messages.Reverse();
        return messages;
    }

    /// <summary>The first <paramref name="limit"/> messages with an id above <paramref name="afterId"/>, in id order (a chat member catching up).</summary>
    internal List<StoredMessage> ReadAfter(long afterId, int limit)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM messages WHERE id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        return ReadAll(command);
    }

    private List<StoredMessage> ReadAll(SqliteCommand command)
    {
        var messages = new List<StoredMessage>();
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
                fresh = Read(query with { AfterId = lastId, Limit = 1000, Since = query.Since, Until = query.Until });
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

        return where.ToString();
    }
}
