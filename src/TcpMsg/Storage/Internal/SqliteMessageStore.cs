using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The embedded SQLite store. One writer connection, WAL journal, one transaction per batch (group
/// commit). After a failure the connection is dropped and reopened on the next attempt, so a store
/// that comes back (disk freed, lock released) works again without a restart.
/// </summary>
internal sealed class SqliteMessageStore : IMessageStore
{
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly string _fullPath;
    private sqlite3? _connection;
    private MessageWriter? _writer;
    private WalCheckpointer? _checkpointer;
    private StoreRetention? _retention;
    private SearchIndexer? _indexer;
    private bool _checked;
    private bool _diskWasFull;

    public SqliteMessageStore(StoreOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var path = System.IO.Path.GetFullPath(options.Path);
        _fullPath = path;
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

    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        try
        {
            EnsureOpen();
            _writer!.Append(messages);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
        {
            foreach (var message in messages)
            {
                message.Id = 0;
                message.IsDuplicate = false;
            }

            // The connection may be in any state after an I/O error; start afresh next time.
            Close();
            _diskWasFull = ex is SqliteException { SqliteErrorCode: raw.SQLITE_FULL };
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
        var db = EnsureOpen();
        SqliteText.Check(db, raw.sqlite3_prepare_v2(db, "PRAGMA " + name, out var statement));
        using (statement)
        {
            return raw.sqlite3_step(statement) == raw.SQLITE_ROW ? raw.sqlite3_column_text(statement, 0).utf8_to_string() : string.Empty;
        }
    }

    /// <summary>The search indexer beside the writer, once the store is open and when the options ask for it.</summary>
    internal SearchIndexer? Indexer => _indexer;

    /// <summary>The retention beside the writer, once the store is open and when the options ask for it.</summary>
    internal StoreRetention? Retention => _retention;

    /// <summary>The checkpoints beside the writer, once the store is open.</summary>
    internal WalCheckpointer? Checkpointer => _checkpointer;

    public void Dispose()
    {
        Close();
        _retention?.Dispose();
        _retention = null;
        _indexer?.Dispose();
        _indexer = null;
        _checkpointer?.Dispose();
        _checkpointer = null;
    }

    private sqlite3 EnsureOpen()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        StoreFiles.Prepare(_options.Path);
        var isNew = new FileInfo(_options.Path).Length == 0;
        sqlite3? db = null;
        try
        {
            using (var connection = new SqliteConnection(_writeConnectionString))
            {
                connection.Open();
                if (!_checked)
                {
                    // Once per process: a damaged page is found now, not by a later write or history.
                    StoreFiles.Check(connection, _options.Path);
                    _checked = true;
                }

                // Before anything is written to a new (empty) file: free pages can then be given back
                // to the file system after retention removed messages (PRAGMA incremental_vacuum). A
                // store made before keeps reusing its free pages. Only then: on a store another process
                // has locked, the pragma would wait for the lock.
                if (isNew)
                {
                    Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
                }

                Execute(connection, "PRAGMA journal_mode = WAL");
                Execute(connection, $"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}");
                SqliteSchema.Migrate(connection, _options.Path);
            }

            db = OpenWriter();
            if (_diskWasFull)
            {
                GiveBackLog(db);
            }

            var synchronous = _options.Durability == Durability.Fsync ? "FULL" : "NORMAL";
            _checkpointer ??= new WalCheckpointer(_writeConnectionString, synchronous);
            if (_indexer is null && _options.SearchIndex)
            {
                _indexer = new SearchIndexer(_writeConnectionString, _options.BusyTimeout, _time, _logger);
            }

            if (_retention is null && StoreRetention.IsWanted(_options))
            {
                _retention = new StoreRetention(_writeConnectionString, _options, _time, _logger);
            }

            _writer = new MessageWriter(db, _options.BusyTimeout, _checkpointer);
            _connection = db;
            return db;
        }
        catch (SqliteException ex)
        {
            db?.Dispose();
            throw SqliteErrors.Translate(ex, _options.Path, "cannot open");
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The writer's own connection, on SQLite's API: opened without SQLite's per-connection mutex
    /// (SQLITE_OPEN_NOMUTEX), which the serialized mode Microsoft.Data.Sqlite opens with takes and
    /// releases on every bind and step; only the dispatcher's thread uses this connection, one call at a time.
    /// </summary>
    private sqlite3 OpenWriter()
    {
        var result = raw.sqlite3_open_v2(_fullPath, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX, null);
        try
        {
            SqliteText.Check(db, result);

            // FULL syncs the WAL on every commit (survives power loss); NORMAL leaves that to the
            // OS (survives a process crash). In WAL mode both keep the database consistent.
            var synchronous = _options.Durability == Durability.Fsync ? "FULL" : "NORMAL";
            Execute(db, $"PRAGMA synchronous = {synchronous}");
            Execute(db, $"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}");

            // Checkpoints run beside the writer (WalCheckpointer); the writer's own is only a bound
            // (MessageWriter.BoundLog, in place of SQLite's automatic one), and the log file is cut
            // back to it when it starts again.
            Execute(db, "PRAGMA wal_autocheckpoint = 0");
            Execute(db, $"PRAGMA journal_size_limit = {WalCheckpointer.LogLimitBytes}");
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// After a full disk: copy the whole log into the database and cut the log file to nothing, so
    /// that the room it held is free for the database and the next transaction. Best effort: while
    /// the disk is still full the copy fails (the database cannot grow), and the next attempt tries again.
    /// </summary>
    private void GiveBackLog(sqlite3 db)
    {
        if (raw.sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", out var statement) != raw.SQLITE_OK)
        {
            return;
        }

        using (statement)
        {
            // The first column is 1 when a reader or the checkpointer was in the way. An error:
            // still no room, or a reader in the way: the write that follows says which.
            _diskWasFull = raw.sqlite3_step(statement) != raw.SQLITE_ROW || raw.sqlite3_column_int64(statement, 0) != 0;
        }
    }

    private void Close()
    {
        _writer?.Dispose();
        _connection?.Dispose();
        _writer = null;
        _connection = null;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Execute(sqlite3 db, string sql) => SqliteText.Check(db, raw.sqlite3_exec(db, sql));

    internal static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    internal static DateTimeOffset FromMicroseconds(long microseconds) => new(DateTime.UnixEpoch.Ticks + (microseconds * 10), TimeSpan.Zero);

    internal static string FramingName(MessageFraming framing) => framing switch
    {
        MessageFraming.Line => "line",
        MessageFraming.Whole => "whole",
        _ => "confirmed",
    };
}
