using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// The ingest path on PostgreSQL: one transaction per batch (the dispatcher's group commit), the rows
/// in one binary COPY with the text as the batch's UTF-8 bytes (no string is made).
/// </summary>
/// <remarks>
/// <para>
/// Ids, and why a reader may read <c>id &gt; last</c>: each transaction takes
/// <c>pg_advisory_xact_lock(IdLock)</c> right before it gives out ids, reads the highest id, and
/// keeps the lock until it has committed. PostgreSQL releases a transaction's locks only after its
/// commit is visible to others (CommitTransaction: ProcArrayEndTransaction, then the locks), so the
/// next writer, on any server, reads a highest id that includes every earlier commit, and commits
/// become visible in id order. A reader whose snapshot holds id N therefore holds every id below N
/// as well, and a row committed later always has a higher id: reading <c>id &gt; last</c> skips
/// nothing. (With a sequence, ids are handed out before commit and commit in any order, and a reader
/// could pass a smaller id that becomes visible after a larger one.) The cost: writers of several
/// servers commit one at a time, each a whole batch, which is what group commit amortises.
/// </para>
/// <para>
/// Exactly once across servers: under the same lock no other writer inserts, so the confirmed
/// messages the table already has are found with one lookup before the COPY (the effect of
/// <c>INSERT ... ON CONFLICT (client_id, seq) DO NOTHING</c>, which COPY cannot do): they get their
/// original id and are marked duplicate, as the SQLite store does. The unique index on
/// <c>(client_id, seq)</c> stays the last word: a second copy would fail the transaction, which the
/// dispatcher retries, and the lookup then finds the first.
/// </para>
/// </remarks>
internal sealed class PostgresMessageWriter
{
    private const string Copy = "COPY messages (id, received_at, connection, text, raw, client_id, seq, sender) FROM STDIN (FORMAT BINARY)";
    private const string CopySyslog = "COPY syslog (message, facility, severity, format, \"timestamp\", host, app, procid, msgid, sd, body) FROM STDIN (FORMAT BINARY)";

    private readonly NpgsqlConnection _connection;
    private readonly PostgresConnectionRows _rows = new();
    private readonly List<string> _lookupClients = [];
    private readonly List<long> _lookupSequences = [];
    private readonly List<int> _lookupIndexes = [];
    private readonly Dictionary<(string ClientId, long Sequence), long> _inBatch = [];

    public PostgresMessageWriter(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Commits <paramref name="messages"/> in one transaction; sets ids and marks duplicates.</summary>
    /// <exception cref="NpgsqlException">Nothing was committed.</exception>
    public void Append(IReadOnlyList<PendingMessage> messages)
    {
        using var transaction = _connection.BeginTransaction();
        try
        {
            _rows.InsertNew(_connection, messages);
            var nextId = LockAndFindDuplicates(messages) + 1;
            var stored = 0;
            var syslog = false;
            _inBatch.Clear();
            foreach (var message in messages)
            {
                if (message.Id != 0 || (message.IsDuplicate && message.ClientId is not null))
                {
                    // Stored before (found by the lookup), or not above the sender's highest stored
                    // sequence (SenderSequences): never stored, acknowledged with the id it has, 0 if none.
                    message.IsDuplicate = true;
                    continue;
                }

                if (message.ClientId is { } clientId && !_inBatch.TryAdd((clientId, message.Sequence), nextId))
                {
                    // The same sequence twice in one batch (a resend on the same connection).
                    message.Id = _inBatch[(clientId, message.Sequence)];
                    message.IsDuplicate = true;
                    continue;
                }

                message.Id = nextId++;
                stored++;
            }

            if (stored > 0)
            {
                syslog = CopyMessages(messages);
                if (syslog)
                {
                    CopySyslogFields(messages);
                }

                // Delivered only when the transaction commits, in commit order; a reader takes it as
                // a wake-up and reads by id (PostgresFeed).
                using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", _connection);
                notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PostgresSchema.Channel, NpgsqlDbType = NpgsqlDbType.Text });
                notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = (nextId - 1).ToString(CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Text });
                notify.ExecuteNonQuery();
            }

            transaction.Commit();
            _rows.Committed();
        }
        catch
        {
            _rows.RolledBack();
            throw;
        }
    }

    /// <summary>
    /// Takes the id lock, returns the highest id stored, and sets the original id of each confirmed
    /// message the table already has (one round trip).
    /// </summary>
    private long LockAndFindDuplicates(IReadOnlyList<PendingMessage> messages)
    {
        _lookupClients.Clear();
        _lookupSequences.Clear();
        _lookupIndexes.Clear();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            message.Id = 0;
            if (message.ClientId is { } clientId)
            {
                _lookupClients.Add(clientId);
                _lookupSequences.Add(message.Sequence);
                _lookupIndexes.Add(i);
            }
        }

        using var batch = new NpgsqlBatch(_connection);

        // Separate statements: in READ COMMITTED each takes its snapshot when it starts, so the
        // highest id and the lookup see every transaction that committed before the lock was ours.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.IdLock})"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT coalesce(max(id), 0) FROM messages"));
        if (_lookupClients.Count > 0)
        {
            var lookup = new NpgsqlBatchCommand(
                "SELECT k.i, m.id FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS k(c, s, i) JOIN messages AS m ON m.client_id = k.c AND m.seq = k.s");
            lookup.Parameters.Add(new NpgsqlParameter<List<string>> { TypedValue = _lookupClients, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            lookup.Parameters.Add(new NpgsqlParameter<List<long>> { TypedValue = _lookupSequences, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            batch.BatchCommands.Add(lookup);
        }

        using var reader = batch.ExecuteReader();
        reader.NextResult();
        reader.Read();
        var maxId = reader.GetInt64(0);
        if (reader.NextResult())
        {
            while (reader.Read())
            {
                var message = messages[_lookupIndexes[(int)reader.GetInt64(0) - 1]];
                message.Id = reader.GetInt64(1);
                message.IsDuplicate = true;
            }
        }

        return maxId;
    }

    /// <summary>The new rows in one binary COPY; returns whether any of them parsed as syslog.</summary>
    private bool CopyMessages(IReadOnlyList<PendingMessage> messages)
    {
        var syslog = false;
        ConnectionInfo? lastConnection = null;
        var lastFraming = default(MessageFraming);
        long row = 0;
        using var importer = _connection.BeginBinaryImport(Copy);
        foreach (var message in messages)
        {
            if (message.IsDuplicate)
            {
                continue;
            }

            if (!ReferenceEquals(message.Connection, lastConnection) || message.Framing != lastFraming)
            {
                lastConnection = message.Connection;
                lastFraming = message.Framing;
                row = _rows.RowOf(lastConnection, lastFraming);
            }

            importer.StartRow();
            importer.Write(message.Id, NpgsqlDbType.Bigint);
            var timestamp = message.Timestamp;
            importer.Write(timestamp.Offset == TimeSpan.Zero ? timestamp : timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            importer.Write(row, NpgsqlDbType.Bigint);

            // Npgsql writes bytes to a text column as they are: the batch's UTF-8, no string made.
            importer.Write(message.TextMemory, NpgsqlDbType.Text);
            if (message.RawBytes is { } bytes)
            {
                importer.Write(bytes, NpgsqlDbType.Bytea);
            }
            else
            {
                importer.WriteNull();
            }

            if (message.ClientId is { } clientId)
            {
                importer.Write(clientId, NpgsqlDbType.Text);
                importer.Write(message.Sequence, NpgsqlDbType.Bigint);
            }
            else
            {
                importer.WriteNull();
                importer.WriteNull();
            }

            if (message.Sender is { } sender)
            {
                importer.Write(sender, NpgsqlDbType.Text);
            }
            else
            {
                importer.WriteNull();
            }

            syslog = syslog || message.TryGetSyslog(out _);
        }

        importer.Complete();
        return syslog;
    }

    /// <summary>The syslog fields of the new rows that parsed as syslog, as slices of their UTF-8 text.</summary>
    private void CopySyslogFields(IReadOnlyList<PendingMessage> messages)
    {
        using var importer = _connection.BeginBinaryImport(CopySyslog);
        foreach (var message in messages)
        {
            if (message.IsDuplicate || !message.TryGetSyslog(out var f))
            {
                continue;
            }

            var text = message.TextMemory;
            importer.StartRow();
            importer.Write(message.Id, NpgsqlDbType.Bigint);
            importer.Write(f.Facility, NpgsqlDbType.Integer);
            importer.Write(f.Severity, NpgsqlDbType.Integer);
            importer.Write(f.Format == SyslogFormat.Rfc5424 ? "rfc5424" : "rfc3164", NpgsqlDbType.Text);
            Field(importer, f.Timestamp, text);
            Field(importer, f.Host, text);
            Field(importer, f.App, text);
            Field(importer, f.ProcId, text);
            Field(importer, f.MsgId, text);
            Field(importer, f.StructuredData, text);
            importer.Write(f.Body.IsPresent ? f.Body.Start : text.Length, NpgsqlDbType.Integer);
        }

        importer.Complete();
    }

    private static void Field(NpgsqlBinaryImporter importer, SyslogField field, ReadOnlyMemory<byte> text)
    {
        if (field.IsPresent)
        {
            importer.Write(text.Slice(field.Start, field.Length), NpgsqlDbType.Text);
        }
        else
        {
            importer.WriteNull();
        }
    }
}
