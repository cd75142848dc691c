using System.Globalization;
using Microsoft.Data.Sqlite;
using TcpMsg.Server;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The embedded SQLite store. One writer connection, WAL journal, one transaction per batch (group
/// commit). After a failure the connection is dropped and reopened on the next attempt, so a store
/// that comes back (disk freed, lock released) works again without a restart.
/// </summary>
internal sealed class SqliteMessageStore : IMessageStore
{
    private readonly StoreOptions _options;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private SqliteConnection? _connection;
    private SqliteCommand? _insert;
    private SqliteCommand? _lookup;
    private SqliteCommand? _maxId;

    public SqliteMessageStore(StoreOptions options)
    {
        _options = options;
        var path = System.IO.Path.GetFullPath(options.Path);
        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,

            // Microsoft.Data.Sqlite retries a busy database for this many seconds on top of
            // busy_timeout; both follow the configured busy timeout.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
        }.ToString();
    }

    public string Path => _options.Path;

    public void Open() => EnsureOpen();

    public void Append(IReadOnlyList<ReceivedMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        try
        {
            var connection = EnsureOpen();

            // BEGIN IMMEDIATE: the write lock is ours from the start, so the highest id read here
            // stays the highest, and the ids this batch takes are the next ones.
            using var transaction = connection.BeginTransaction(deferred: false);
            _insert!.Transaction = transaction;
            _lookup!.Transaction = transaction;
            _maxId!.Transaction = transaction;
            var nextId = (long)_maxId.ExecuteScalar()! + 1;
            for (var i = 0; i < messages.Count; i++)
            {
                if (Insert(messages[i], nextId))
                {
                    nextId++;
                }
            }

            transaction.Commit();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                messages[i].Id = 0;
                messages[i].IsDuplicate = false;
            }

            // The connection may be in any state after an I/O error; start afresh next time.
            Close();
            throw ex is SqliteException sqlite
                ? SqliteErrors.Translate(sqlite, _options.Path, "cannot store messages in")
                : new StoreException(StoreFailure.Other, $"cannot store messages in {_options.Path}: {ex.Message}", ex);
        }
    }

    public long GetLastSequence(string clientId)
    {
        try
        {
            using var connection = new SqliteConnection(_readConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT max(seq) FROM messages WHERE client_id = $client";
            command.Parameters.AddWithValue("$client", clientId);
            return command.ExecuteScalar() is long last ? last : 0;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _options.Path, "cannot read");
        }
    }

    /// <summary>A pragma's value on the writer connection (per connection, so only this one can tell).</summary>
    internal string ReadPragma(string name)
    {
        using var command = EnsureOpen().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? string.Empty;
    }

    public void Dispose() => Close();

    /// <summary>Inserts one message with <paramref name="id"/>; false when it was a duplicate (and got its first id).</summary>
    private bool Insert(ReceivedMessage message, long id)
    {
        var p = _insert!.Parameters;
        p[0].Value = id;
        p[1].Value = ToMicroseconds(message.Timestamp);
        p[2].Value = message.Connection.Address;
        p[3].Value = message.Connection.RemoteEndPoint?.Port ?? 0;
        p[4].Value = message.Connection.Id;
        p[5].Value = FramingName(message.Framing);
        p[6].Value = message.Text;
        p[7].Value = (object?)message.RawBytes ?? DBNull.Value;
        p[8].Value = (object?)message.ClientId ?? DBNull.Value;
        p[9].Value = message.ClientId is null ? DBNull.Value : message.Sequence;
        p[10].Value = (object?)message.Sender ?? DBNull.Value;
        p[11].Value = (object?)message.Connection.ClientCertificateSubject ?? DBNull.Value;

        // No RETURNING: reading a result row per message would cost as much as the insert itself.
        if (_insert.ExecuteNonQuery() == 1)
        {
            message.Id = id;
            return true;
        }

        // ON CONFLICT DO NOTHING changed nothing: the store already has this client id and sequence.
        _lookup!.Parameters[0].Value = message.ClientId;
        _lookup.Parameters[1].Value = message.Sequence;
        message.Id = (long)_lookup.ExecuteScalar()!;
        message.IsDuplicate = true;
        return false;
    }

    private SqliteConnection EnsureOpen()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_options.Path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL");

            // FULL syncs the WAL on every commit (survives power loss); NORMAL leaves that to the
            // OS (survives a process crash). In WAL mode both keep the database consistent.
            Execute(connection, _options.Durability == Durability.Fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
            Execute(connection, $"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}");
            SqliteSchema.Migrate(connection, _options.Path);
            _insert = connection.CreateCommand();
            _insert.CommandText =
                """
                INSERT INTO messages (id, received_at, peer_address, peer_port, connection_id, framing, text, raw, client_id, seq, sender, client_cert)
                VALUES ($id, $received_at, $peer_address, $peer_port, $connection_id, $framing, $text, $raw, $client_id, $seq, $sender, $client_cert)
                ON CONFLICT (client_id, seq) WHERE client_id IS NOT NULL DO NOTHING
                """;
            foreach (var name in (string[])["$id", "$received_at", "$peer_address", "$peer_port", "$connection_id", "$framing", "$text", "$raw", "$client_id", "$seq", "$sender", "$client_cert"])
            {
                _insert.Parameters.Add(new SqliteParameter(name, null));
            }

            _insert.Prepare();
            _lookup = connection.CreateCommand();
            _lookup.CommandText = "SELECT id FROM messages WHERE client_id = $client AND seq = $seq";
            _lookup.Parameters.Add(new SqliteParameter("$client", null));
            _lookup.Parameters.Add(new SqliteParameter("$seq", null));
            _lookup.Prepare();
            _maxId = connection.CreateCommand();
            _maxId.CommandText = "SELECT coalesce(max(id), 0) FROM messages";
            _maxId.Prepare();
            _connection = connection;
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw SqliteErrors.Translate(ex, _options.Path, "cannot open");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Close()
    {
        _insert?.Dispose();
        _lookup?.Dispose();
        _maxId?.Dispose();
        _connection?.Dispose();
        _insert = null;
        _lookup = null;
        _maxId = null;
        _connection = null;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    internal static DateTimeOffset FromMicroseconds(long microseconds) => new(DateTime.UnixEpoch.Ticks + (microseconds * 10), TimeSpan.Zero);

    internal static string FramingName(MessageFraming framing) => framing switch
    {
        MessageFraming.Line => "line",
        MessageFraming.Whole => "whole",
        _ => "confirmed",
    };
}
