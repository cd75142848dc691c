using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The ingest path of the store, on SQLite's own API (through SQLitePCLRaw, which Microsoft.Data.Sqlite
/// is built on): prepared statements bound by position with UTF-8 bytes. The ADO.NET layer looks each
/// parameter up by name, boxes every value and turns every string into a new byte array, which cost as
/// much as the insert itself.
/// </summary>
internal sealed class MessageWriter : IDisposable
{
    private const string InsertSql =
        """
        INSERT INTO messages (id, received_at, peer_address, peer_port, connection_id, framing, text, raw, client_id, seq, sender, client_cert,
            syslog_facility, syslog_severity, syslog_format, syslog_timestamp, syslog_host, syslog_app, syslog_procid, syslog_msgid, syslog_sd, syslog_body)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        ON CONFLICT (client_id, seq) WHERE client_id IS NOT NULL DO NOTHING
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert;
    private readonly sqlite3_stmt _lookup;
    private readonly sqlite3_stmt _maxId;
    // How long the writer's checkpoint waits for a reader or the checkpointer; it is tried again after the next commit.
    private static readonly TimeSpan s_restartWait = TimeSpan.FromMilliseconds(50);

    private readonly int _busyTimeoutMs;
    private byte[] _text = new byte[4096];
    private long _logPages;

    public MessageWriter(SqliteConnection connection, TimeSpan busyTimeout)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _insert = Prepare(InsertSql);
        _lookup = Prepare("SELECT id FROM messages WHERE client_id = ?1 AND seq = ?2");
        _maxId = Prepare("SELECT coalesce(max(id), 0) FROM messages");
    }

    /// <summary>Commits <paramref name="messages"/> in one transaction; sets ids and marks duplicates.</summary>
    /// <exception cref="SqliteException">Nothing was committed.</exception>
    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        // BEGIN IMMEDIATE: the write lock is ours from the start, so the highest id read here stays
        // the highest, and the ids this batch takes are the next ones.
        Check(raw.sqlite3_exec(_db, "BEGIN IMMEDIATE"));
        try
        {
            var nextId = ScalarInt64(_maxId) + 1;
            for (var i = 0; i < messages.Count; i++)
            {
                if (Insert(messages[i], nextId))
                {
                    nextId++;
                }
            }

            Check(raw.sqlite3_exec(_db, "COMMIT"));
        }
        catch
        {
            // After some errors SQLite has rolled back already; a second rollback is harmless.
            raw.sqlite3_exec(_db, "ROLLBACK");
            throw;
        }

        BoundLog();
    }

    /// <summary>
    /// The writer's bound on the log (<see cref="WalCheckpointer.WriterBoundPages"/>), in place of
    /// SQLite's automatic checkpoint: once that many pages went into the log since it last started
    /// again, a RESTART checkpoint copies what the checkpointer beside us has not yet copied and
    /// makes the next transaction start the log from its beginning. SQLite's own (passive) one
    /// gives up when the checkpointer holds the checkpoint lock, and at full ingest the log then grew
    /// by several transactions past the bound. The commit is done: a checkpoint that cannot run
    /// now (a reader or the checkpointer in the way, no room) is tried again after the next one.
    /// </summary>
    private void BoundLog()
    {
        raw.sqlite3_db_status(_db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        _logPages += written;
        if (_logPages < WalCheckpointer.WriterBoundPages)
        {
            return;
        }

        raw.sqlite3_busy_timeout(_db, (int)s_restartWait.TotalMilliseconds);
        try
        {
            if (raw.sqlite3_wal_checkpoint_v2(_db, null, raw.SQLITE_CHECKPOINT_RESTART, out _, out _) == raw.SQLITE_OK)
            {
                _logPages = 0;
            }
        }
        finally
        {
            raw.sqlite3_busy_timeout(_db, _busyTimeoutMs);
        }
    }

    public void Dispose()
    {
        _insert.Dispose();
        _lookup.Dispose();
        _maxId.Dispose();
    }

    /// <summary>Inserts one message with <paramref name="id"/>; false when it was a duplicate (and got its first id).</summary>
    private bool Insert(PendingMessage message, long id)
    {
        if (message.IsDuplicate)
        {
            // Not above the sender's highest stored sequence (SenderSequences): never stored, even
            // where that sequence was skipped; acknowledged with the id it has, 0 if none.
            message.Id = LookupId(message);
            return false;
        }

        var connection = message.Connection;
        var s = _insert;
        raw.sqlite3_bind_int64(s, 1, id);
        raw.sqlite3_bind_int64(s, 2, SqliteMessageStore.ToMicroseconds(message.Timestamp));
        BindText(s, 3, connection.Address);
        raw.sqlite3_bind_int(s, 4, connection.RemoteEndPoint?.Port ?? 0);
        BindText(s, 5, connection.Id);
        BindText(s, 6, SqliteMessageStore.FramingName(message.Framing));
        BindText(s, 7, message.Text);
        if (message.RawBytes is { } bytes)
        {
            raw.sqlite3_bind_blob(s, 8, bytes);
        }
        else
        {
            raw.sqlite3_bind_null(s, 8);
        }

        BindText(s, 9, message.ClientId);
        if (message.ClientId is null)
        {
            raw.sqlite3_bind_null(s, 10);
        }
        else
        {
            raw.sqlite3_bind_int64(s, 10, message.Sequence);
        }

        BindText(s, 11, message.Sender);
        BindText(s, 12, connection.ClientCertificateSubject);
        BindSyslog(s, message);
        var result = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        Check(result, raw.SQLITE_DONE);
        if (raw.sqlite3_changes(_db) == 1)
        {
            message.Id = id;
            return true;
        }

        // ON CONFLICT DO NOTHING changed nothing: the store already has this client id and sequence.
        message.Id = LookupId(message);
        message.IsDuplicate = true;
        return false;
    }

    private long LookupId(PendingMessage message)
    {
        BindText(_lookup, 1, message.ClientId);
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

    /// <summary>Binds the syslog fields (13-22) as slices of the message's UTF-8 text, or NULLs.</summary>
    private static void BindSyslog(sqlite3_stmt s, PendingMessage message)
    {
        if (!message.TryGetSyslog(out var f))
        {
            for (var i = 13; i <= 22; i++)
            {
                raw.sqlite3_bind_null(s, i);
            }

            return;
        }

        var text = message.Text;
        raw.sqlite3_bind_int(s, 13, f.Facility);
        raw.sqlite3_bind_int(s, 14, f.Severity);
        BindText(s, 15, f.Format == SyslogFormat.Rfc5424 ? "rfc5424"u8 : "rfc3164"u8);
        BindField(s, 16, f.Timestamp, text);
        BindField(s, 17, f.Host, text);
        BindField(s, 18, f.App, text);
        BindField(s, 19, f.ProcId, text);
        BindField(s, 20, f.MsgId, text);
        BindField(s, 21, f.StructuredData, text);
        raw.sqlite3_bind_int(s, 22, f.Body.IsPresent ? f.Body.Start : text.Length);
    }

    private static void BindField(sqlite3_stmt s, int index, SyslogField field, ReadOnlySpan<byte> text)
    {
        if (field.IsPresent)
        {
            BindText(s, index, field.Of(text));
        }
        else
        {
            raw.sqlite3_bind_null(s, index);
        }
    }

    /// <summary>Binds UTF-8 text as it came from the socket (SQLite copies it); TEXT, like a bound string.</summary>
    private static void BindText(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8) => raw.sqlite3_bind_text(statement, index, utf8);

    /// <summary>Binds <paramref name="value"/> as UTF-8 (SQLite copies it), or NULL.</summary>
    private void BindText(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(statement, index);
            return;
        }

        var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (needed > _text.Length)
        {
            _text = new byte[Math.Max(needed, _text.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(value, _text);
        raw.sqlite3_bind_text(statement, index, _text.AsSpan(0, length));
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

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Check(int result, int expected = raw.SQLITE_OK)
    {
        if (result != expected)
        {
            throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), result, raw.sqlite3_extended_errcode(_db));
        }
    }
}
