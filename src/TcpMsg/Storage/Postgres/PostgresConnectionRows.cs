using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// The <c>connections</c> row of each connection (and framing) the writer has stored messages of,
/// as <see cref="ConnectionRows"/> keeps them for SQLite: inserted the first time (all of a batch's
/// new ones in one round trip), then known. A row made in a transaction is known to the next ones
/// only once it committed.
/// </summary>
internal sealed class PostgresConnectionRows
{
    private readonly ConditionalWeakTable<ConnectionInfo, long[]> _rows = new();
    private readonly List<(long[] Rows, MessageFraming Framing)> _fresh = [];
    private readonly List<(ConnectionInfo Connection, MessageFraming Framing, long[] Rows)> _missing = [];

    /// <summary>Inserts the rows of the connections in <paramref name="messages"/> not stored before.</summary>
    public void InsertNew(NpgsqlConnection connection, IReadOnlyList<PendingMessage> messages)
    {
        _missing.Clear();
        ConnectionInfo? last = null;
        var lastFraming = default(MessageFraming);
        foreach (var message in messages)
        {
            // The messages of a batch share their connection: one lookup per run, not per message.
            if (ReferenceEquals(message.Connection, last) && message.Framing == lastFraming)
            {
                continue;
            }

            last = message.Connection;
            lastFraming = message.Framing;
            var rows = _rows.GetValue(last, static _ => new long[3]);
            if (rows[(int)lastFraming] == 0 && !_missing.Exists(m => ReferenceEquals(m.Rows, rows) && m.Framing == lastFraming))
            {
                _missing.Add((last, lastFraming, rows));
            }
        }

        if (_missing.Count == 0)
        {
            return;
        }

        using var batch = new NpgsqlBatch(connection);
        foreach (var (info, framing, _) in _missing)
        {
            var command = new NpgsqlBatchCommand("INSERT INTO connections (connection_id, peer_address, peer_port, framing, client_cert) VALUES ($1, $2, $3, $4, $5) RETURNING id");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = info.Id, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = info.Address, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = info.RemoteEndPoint?.Port ?? 0, NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = SqliteMessageStore.FramingName(framing), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)info.ClientCertificateSubject ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(command);
        }

        using var reader = batch.ExecuteReader();
        foreach (var (_, framing, rows) in _missing)
        {
            reader.Read();
            rows[(int)framing] = reader.GetInt64(0);
            _fresh.Add((rows, framing));
            reader.NextResult();
        }
    }

    /// <summary>The row id of a connection whose row <see cref="InsertNew"/> made sure of.</summary>
    public long RowOf(ConnectionInfo connection, MessageFraming framing) => _rows.GetValue(connection, static _ => new long[3])[(int)framing];

    /// <summary>The rows inserted in the transaction that just committed are known from now on.</summary>
    public void Committed() => _fresh.Clear();

    /// <summary>The transaction was undone, and the rows it inserted with it.</summary>
    public void RolledBack()
    {
        foreach (var (rows, framing) in _fresh)
        {
            rows[(int)framing] = 0;
        }

        _fresh.Clear();
    }
}
