using SQLitePCL;
using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The ingest path of the store, on SQLite's own API (through SQLitePCLRaw, which Microsoft.Data.Sqlite
/// is built on): prepared statements, reused, bound by position with the UTF-8 bytes of the batch (no
/// string is made). Messages go in several rows per statement (<see cref="RowsPerInsert"/>), so a batch
/// of thousands is a few dozen statement executions; a connection's facts go in once, the first time
/// one of its messages is stored (<see cref="ConnectionRows"/>).
/// </summary>
internal sealed partial class MessageWriter : IDisposable
{
    // Rows per INSERT, largest first: a batch of n messages takes n / 64 executions of the first,
    // and the rest in at most a few of the others. 64 rows of 8 values stay far below SQLite's
    // limit of 32766 bound values.
    private static readonly int[] RowsPerInsert = [64, 16, 4, 1];
    private const int ValuesPerRow = 8;

    // How long the writer's checkpoint waits for a reader or the checkpointer; it is tried again after the next commit.
    private static readonly TimeSpan s_restartWait = TimeSpan.FromMilliseconds(50);

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt[] _inserts;
    private readonly nint[] _insertHandles;
    private readonly sqlite3_stmt _insertOne;
    private readonly Utf8Cache _clientIds = new();
    private readonly Utf8Cache _senders = new();
    private readonly sqlite3_stmt _insertSyslog;
    private readonly sqlite3_stmt _lookup;
    private readonly sqlite3_stmt _maxId;
    private readonly sqlite3_stmt _deleteIds;
    private readonly ConnectionRows _connections;
    private readonly int _busyTimeoutMs;
    private readonly WalCheckpointer? _checkpointer;
    private long _logPages;

    /// <param name="db">The writer's connection, used by no other thread while the writer lives.</param>
    /// <param name="busyTimeout">How long a commit waits for a lock.</param>
    /// <param name="checkpointer">The checkpoints beside the writer, held off while the writer bounds the log.</param>
    public MessageWriter(sqlite3 db, TimeSpan busyTimeout, WalCheckpointer? checkpointer = null)
    {
        _checkpointer = checkpointer;
        _db = db;
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _inserts = [.. RowsPerInsert.Select(rows => Prepare(InsertSql(rows, ignoreDuplicates: false)))];
        _insertHandles = [.. _inserts.Select(statement => statement.DangerousGetHandle())];
        _insertOne = Prepare(InsertSql(1, ignoreDuplicates: true));
        _insertSyslog = Prepare(
            "INSERT INTO syslog (message, facility, severity, format, timestamp, host, app, procid, msgid, sd, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        _lookup = Prepare("SELECT id FROM messages WHERE client_id = ?1 AND seq = ?2");
        _maxId = Prepare("SELECT coalesce(max(id), 0) FROM messages");
        _deleteIds = Prepare("DELETE FROM messages WHERE id >= ?1 AND id < ?2");
        _connections = new ConnectionRows(_db);
    }

    /// <summary>Commits <paramref name="messages"/> in one transaction; sets ids and marks duplicates.</summary>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">Nothing was committed.</exception>
    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        // BEGIN IMMEDIATE: the write lock is ours from the start, so the highest id read here stays
        // the highest, and the ids this batch takes are the next ones.
        Check(raw.sqlite3_exec(_db, "BEGIN IMMEDIATE"));
        try
        {
            var nextId = ScalarInt64(_maxId) + 1;
            var start = 0;
            while (start < messages.Count)
            {
                // A run of messages that are all to be stored (duplicates known before are skipped).
                var first = messages[start];
                if (first.IsDuplicate)
                {
                    // Not above the sender's highest stored sequence (SenderSequences): never stored, even
                    // where that sequence was skipped; acknowledged with the id it has, 0 if none.
                    first.Id = LookupId(first);
                    start++;
                    continue;
                }

                var end = start + 1;
                while (end < messages.Count && end - start < RowsPerInsert[0] && !messages[end].IsDuplicate)
                {
                    end++;
                }

                nextId = InsertRun(messages, start, end, nextId);
                start = end;
            }

            Check(raw.sqlite3_exec(_db, "COMMIT"));
            _connections.Committed();
        }
        catch
        {
            // After some errors SQLite has rolled back already; a second rollback is harmless.
            raw.sqlite3_exec(_db, "ROLLBACK");
            _connections.RolledBack();
            throw;
        }

        BoundLog();
    }

    public void Dispose()
    {
        foreach (var statement in _inserts)
        {
            statement.Dispose();
        }

        _insertOne.Dispose();
        _insertSyslog.Dispose();
        _lookup.Dispose();
        _maxId.Dispose();
        _deleteIds.Dispose();
        _connections.Dispose();
    }

    /// <summary>Inserts messages [start, end) with ids from <paramref name="nextId"/>, in as few statements as the sizes allow; returns the next free id.</summary>
    private long InsertRun(IReadOnlyList<PendingMessage> messages, int start, int end, long nextId)
    {
        var i = start;
        for (var size = 0; size < RowsPerInsert.Length; size++)
        {
            var rows = RowsPerInsert[size];
            while (end - i >= rows)
            {
                nextId = InsertRows(size, messages, i, rows, nextId);
                i += rows;
            }
        }

        return nextId;
    }

    /// <summary>One execution of the insert of <paramref name="rows"/> rows; returns the next free id.</summary>
    private long InsertRows(int size, IReadOnlyList<PendingMessage> messages, int start, int rows, long nextId)
    {
        var s = _insertHandles[size];
        for (var r = 0; r < rows; r++)
        {
            var message = messages[start + r];
            BindRow(s, r * ValuesPerRow, message, nextId + r);
        }

        var result = Native.Step(s);
        Native.Reset(s);
        Check(result, raw.SQLITE_DONE);
        if (raw.sqlite3_changes(_db) != rows)
        {
            // OR IGNORE skipped a row: a confirmed message the store has already (the sequences in
            // memory did not know it), or a row SQLite refused. Undo the rows this statement did
            // insert, then the same rows one at a time: copies are skipped, any other refusal fails.
            DeleteIds(nextId, rows);
            return InsertOneByOne(messages, start, rows, nextId);
        }

        for (var r = 0; r < rows; r++)
        {
            var message = messages[start + r];
            message.Id = nextId + r;
            InsertSyslog(message);
        }

        return nextId + rows;
    }

    private void DeleteIds(long from, int count)
    {
        raw.sqlite3_bind_int64(_deleteIds, 1, from);
        raw.sqlite3_bind_int64(_deleteIds, 2, from + count);
        var result = raw.sqlite3_step(_deleteIds);
        raw.sqlite3_reset(_deleteIds);
        Check(result, raw.SQLITE_DONE);
    }

    private long InsertOneByOne(IReadOnlyList<PendingMessage> messages, int start, int rows, long nextId)
    {
        var s = _insertOne.DangerousGetHandle();
        for (var r = 0; r < rows; r++)
        {
            var message = messages[start + r];
            BindRow(s, 0, message, nextId);
            var result = Native.Step(s);
            Native.Reset(s);
            Check(result, raw.SQLITE_DONE);
            if (raw.sqlite3_changes(_db) == 1)
            {
                message.Id = nextId++;
                InsertSyslog(message);
            }
            else
            {
                // ON CONFLICT DO NOTHING changed nothing: the store already has this client id and sequence.
                message.Id = LookupId(message);
                message.IsDuplicate = true;
            }
        }

        return nextId;
    }

    // Values of one row, from 1 + offset: id, received_at, connection, text, raw, client_id, seq, sender.
    private void BindRow(nint s, int offset, PendingMessage message, long id)
    {
        Native.BindInt64(s, offset + 1, id);
        Native.BindInt64(s, offset + 2, SqliteMessageStore.ToMicroseconds(message.Timestamp));
        Native.BindInt64(s, offset + 3, _connections.RowOf(message.Connection, message.Framing));
        Native.BindText(s, offset + 4, message.Text);
        if (message.RawBytes is { } bytes)
        {
            Native.BindBlob(s, offset + 5, bytes);
        }
        else
        {
            Native.BindNull(s, offset + 5);
        }

        if (message.ClientId is { } clientId)
        {
            Native.BindText(s, offset + 6, _clientIds.Of(clientId));
            Native.BindInt64(s, offset + 7, message.Sequence);
        }
        else
        {
            Native.BindNull(s, offset + 6);
            Native.BindNull(s, offset + 7);
        }

        if (message.Sender is { } sender)
        {
            Native.BindText(s, offset + 8, _senders.Of(sender));
        }
        else
        {
            Native.BindNull(s, offset + 8);
        }
    }

    private long LookupId(PendingMessage message)
    {
        SqliteText.Bind(_lookup, 1, message.ClientId);
        raw.sqlite3_bind_int64(_lookup, 2, message.Sequence);
        var result = raw.sqlite3_step(_lookup);
        try
        {
            if (result == raw.SQLITE_DONE)
            {
                return 0;
            }

            Check(result, raw.SQLITE_ROW);
            return raw.sqlite3_column_int64(_lookup, 0);
        }
        finally
        {
            raw.sqlite3_reset(_lookup);
        }
    }

    private long ScalarInt64(sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        try
        {
            Check(result, raw.SQLITE_ROW);
            return raw.sqlite3_column_int64(statement, 0);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private static string InsertSql(int rows, bool ignoreDuplicates)
    {
        var values = string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range((r * ValuesPerRow) + 1, ValuesPerRow).Select(v => "?" + v)) + ")"));
        // The multi-row insert is OR IGNORE: a statement that can fail half-way (a constraint's ABORT)
        // makes SQLite keep a statement journal, a copy of every page the statement changes that an
        // earlier statement of the transaction changed too (spilled to a temporary file past 64 KiB):
        // about one page copy per page written. The row-by-row insert names the one conflict it skips.
        var conflict = ignoreDuplicates ? " ON CONFLICT (client_id, seq) WHERE client_id IS NOT NULL DO NOTHING" : string.Empty;
        var or = ignoreDuplicates ? string.Empty : "OR IGNORE ";
        return $"INSERT {or}INTO messages (id, received_at, connection, text, raw, client_id, seq, sender) VALUES {values}{conflict}";
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Check(int result, int expected = raw.SQLITE_OK) => SqliteText.Check(_db, result, expected);
}
