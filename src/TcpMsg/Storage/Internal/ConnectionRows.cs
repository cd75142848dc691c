using System.Runtime.CompilerServices;
using SQLitePCL;
using TcpMsg.Server;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The <c>connections</c> row of each connection (and framing) the writer has stored messages of:
/// inserted the first time, then known. A row made in a transaction is known to the next ones only
/// once it committed. Keyed weakly by the connection's object, so a closed connection's entry goes
/// with it.
/// </summary>
internal sealed class ConnectionRows : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert;
    private readonly ConditionalWeakTable<ConnectionInfo, Rows> _rows = new();
    private readonly List<(Rows Rows, MessageFraming Framing)> _fresh = [];
    private ConnectionInfo? _lastConnection;
    private MessageFraming _lastFraming;
    private long _lastId;

    public ConnectionRows(sqlite3 db)
    {
        _db = db;
        SqliteText.Check(db, raw.sqlite3_prepare_v2(
            db, "INSERT INTO connections (connection_id, peer_address, peer_port, framing, client_cert) VALUES (?1, ?2, ?3, ?4, ?5)", out _insert));
    }

    /// <summary>The row id of <paramref name="connection"/> with <paramref name="framing"/>, inserted in the current transaction if new.</summary>
    public long RowOf(ConnectionInfo connection, MessageFraming framing)
    {
        // The messages of a batch share their connection: one lookup per batch, not per message.
        if (ReferenceEquals(connection, _lastConnection) && framing == _lastFraming)
        {
            return _lastId;
        }

        var rows = _rows.GetValue(connection, static _ => new Rows());
        var id = rows[framing];
        if (id == 0)
        {
            id = Insert(connection, framing);
            rows.Set(framing, id);
            _fresh.Add((rows, framing));
        }

        _lastConnection = connection;
        _lastFraming = framing;
        _lastId = id;
        return id;
    }

    /// <summary>The rows inserted in the transaction that just committed are known from now on.</summary>
    public void Committed()
    {
        _fresh.Clear();
    }

    /// <summary>The transaction was undone, and the rows it inserted with it.</summary>
    public void RolledBack()
    {
        foreach (var (rows, framing) in _fresh)
        {
            rows.Set(framing, 0);
        }

        _fresh.Clear();
        _lastConnection = null;
    }

    public void Dispose() => _insert.Dispose();

    private long Insert(ConnectionInfo connection, MessageFraming framing)
    {
        var s = _insert;
        SqliteText.Bind(s, 1, connection.Id);
        SqliteText.Bind(s, 2, connection.Address);
        raw.sqlite3_bind_int(s, 3, connection.RemoteEndPoint?.Port ?? 0);
        SqliteText.Bind(s, 4, SqliteMessageStore.FramingName(framing));
        SqliteText.Bind(s, 5, connection.ClientCertificateSubject);
        var result = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        SqliteText.Check(_db, result, raw.SQLITE_DONE);
        return raw.sqlite3_last_insert_rowid(_db);
    }

    /// <summary>One connection's row per framing (a plain connection can turn out to be octet counted or whole).</summary>
    private sealed class Rows
    {
        private readonly long[] _ids = new long[3];

        public long this[MessageFraming framing] => _ids[(int)framing];

        public void Set(MessageFraming framing, long id) => _ids[(int)framing] = id;
    }
}
