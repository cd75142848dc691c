using Npgsql;
using NpgsqlTypes;
using TcpMsg.Server.Internal;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// The store shared by several servers: PostgreSQL. One writer connection, one transaction per batch;
/// reads (the last sequence of a sender) on pooled connections beside it. After a failure the writer's
/// connection is dropped and a new one opened on the next attempt (the dispatcher retries with
/// backoff), so a database that restarts or comes back works again without a restart of tcpmsg.
/// </summary>
internal sealed class PostgresMessageStore : IMessageStore
{
    private readonly StoreOptions _options;
    private readonly PostgresLocation _location;
    private NpgsqlDataSource? _dataSource;
    private NpgsqlConnection? _connection;
    private PostgresMessageWriter? _writer;
    private bool _migrated;

    public PostgresMessageStore(StoreOptions options)
    {
        _options = options;
        _location = PostgresLocation.Parse(options.Path, options.PasswordFile);
    }

    /// <summary>For messages: <c>PostgreSQL at host:port/db</c>.</summary>
    public string Display => _location.Display;

    public bool IsShared => true;

    public void Open()
    {
        if (_options.Retain is not null || _options.MaxSize is not null || _options.SearchIndex)
        {
            throw new StoreException(StoreFailure.Other, $"retention, the size cap and the search index are kept by the SQLite store only, not by {Display}");
        }

        EnsureOpen("cannot open");
    }

    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        try
        {
            EnsureOpen("cannot store messages in");
            _writer!.Append(messages);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreError(ex))
        {
            foreach (var message in messages)
            {
                message.Id = 0;
                message.IsDuplicate = false;
            }

            // The connection may be in any state; start afresh next time, and drop the pooled ones,
            // which a restarted database has closed too.
            Close();
            _dataSource?.Clear();
            // The dispatcher logs the failure once, retries with backoff, and logs when it is back.
            throw PostgresErrors.Translate(ex, Display, "cannot store messages in");
        }
    }

    public long GetLastSequence(string clientId)
    {
        try
        {
            using var connection = DataSource().OpenConnection();
            using var command = new NpgsqlCommand("SELECT max(seq) FROM messages WHERE client_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId, NpgsqlDbType = NpgsqlDbType.Text });
            return command.ExecuteScalar() is long last ? last : 0;
        }
        catch (Exception ex) when (PostgresErrors.IsStoreError(ex))
        {
            _dataSource?.Clear();
            throw PostgresErrors.Translate(ex, Display, "cannot read");
        }
    }

    public void Dispose()
    {
        Close();
        _dataSource?.Dispose();
        _dataSource = null;
    }

    private NpgsqlDataSource DataSource() => _dataSource ??= _location.CreateDataSource("tcpmsg serve");

    private void EnsureOpen(string doing)
    {
        if (_connection is not null)
        {
            return;
        }

        NpgsqlConnection? connection = null;
        try
        {
            connection = DataSource().OpenConnection();
            if (!_migrated)
            {
                PostgresSchema.Migrate(connection, Display);
                _migrated = true;
            }

            // lock_timeout: the id lock is held by a writer for one batch, milliseconds; one that waits
            // longer counts as a failed commit (retried), as SQLite's busy timeout does. The other
            // two end a writer session whose server died without closing it (its machine gone): one
            // idle in its transaction would hold the id lock, and with it every server, until TCP
            // noticed, hours later by default.
            var durability = _options.Durability == Durability.Process
                // A commit returns before its WAL is flushed: it survives a crash of tcpmsg (the
                // database has it), not necessarily one of the database server.
                ? "SET synchronous_commit = off; "
                : string.Empty;
            var lockTimeout = (long)Math.Max(1, _options.BusyTimeout.TotalMilliseconds);
            using (var command = new NpgsqlCommand(
                durability + $"SET lock_timeout = {lockTimeout}; SET idle_in_transaction_session_timeout = 10000; " +
                "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3",
                connection))
            {
                command.ExecuteNonQuery();
            }

            _writer = new PostgresMessageWriter(connection);
            _connection = connection;
        }
        catch (Exception ex) when (PostgresErrors.IsStoreError(ex))
        {
            connection?.Dispose();
            throw PostgresErrors.Translate(ex, Display, doing);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private void Close()
    {
        _connection?.Dispose();
        _connection = null;
        _writer = null;
    }
}
