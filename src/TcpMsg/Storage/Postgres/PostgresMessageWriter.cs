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
    // Per client id of the batch: the lowest and highest sequence in it (the lookup's ranges), and the
    // highest seen so far while numbering (a sequence not above it is a second copy in the batch).
    private readonly Dictionary<string, (long Low, long High)> _ranges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _highest = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ClientId, long Sequence), long> _found = [];
    private readonly List<string> _rangeClients = [];
    private readonly List<long> _rangeLows = [];
    private readonly List<long> _rangeHighs = [];

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
            _highest.Clear();
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                if (message.ClientId is not { } clientId)
                {
                    message.Id = nextId++;
                    stored++;
                    continue;
                }

                if (_found.Count > 0 && _found.TryGetValue((clientId, message.Sequence), out var original))
                {
                    // Stored before, through this server or another.
                    message.Id = original;
                    message.IsDuplicate = true;
                    continue;
                }

                if (message.IsDuplicate)
                {
                    // Not above the sender's highest stored sequence (SenderSequences) and not in the
                    // table: a sequence the sender skipped; never stored, acknowledged with id 0.
                    message.Id = 0;
                    continue;
                }

                var seen = _highest.TryGetValue(clientId, out var highest);
                if (seen && message.Sequence <= highest && TryFindEarlierCopy(messages, i, out var copy))
                {
                    // The same sequence again in this batch (a resend): the id of the copy before it.
                    message.Id = copy;
                    message.IsDuplicate = true;
                    continue;
                }

                if (!seen || message.Sequence > highest)
                {
                    _highest[clientId] = message.Sequence;
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
    /// Takes the id lock, returns the highest id stored, and finds the confirmed messages of the
    /// batch the table already has (one round trip). The lookup asks, per client id, for the rows
    /// between the batch's lowest and highest sequence of it: one index probe per sender when there
    /// are none (no failover), and never more rows than the batch has.
    /// </summary>
    private long LockAndFindDuplicates(IReadOnlyList<PendingMessage> messages)
    {
        _ranges.Clear();
        _found.Clear();
        string? last = null;
        foreach (var message in messages)
        {
            message.Id = 0;
            if (message.ClientId is not { } clientId)
            {
                continue;
            }

            // The messages of one connection come together, under the same string.
            if (!ReferenceEquals(clientId, last) || !_ranges.ContainsKey(clientId))
            {
                last = clientId;
                _ranges.TryAdd(clientId, (message.Sequence, message.Sequence));
            }

            var (low, high) = _ranges[clientId];
            if (message.Sequence < low || message.Sequence > high)
            {
                _ranges[clientId] = (Math.Min(low, message.Sequence), Math.Max(high, message.Sequence));
            }
        }

        using var batch = new NpgsqlBatch(_connection);

        // Separate statements: in READ COMMITTED each takes its snapshot when it starts, so the
        // highest id and the lookup see every transaction that committed before the lock was ours.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({PostgresSchema.IdLock})"));

        // The wake-up for the readers (PostgresFeed), sent in this round trip rather than one of its
        // own: PostgreSQL delivers it only when the transaction commits, in commit order, and not at
        // all when it rolls back. It carries nothing; readers read by id. (A batch that turns out to
        // be all duplicates wakes them for nothing, which costs one empty read.)
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresSchema.Channel}', '')"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT coalesce(max(id), 0) FROM messages"));
        if (_ranges.Count > 0)
        {
            _rangeClients.Clear();
            _rangeLows.Clear();
            _rangeHighs.Clear();
            foreach (var (clientId, (low, high)) in _ranges)
            {
                _rangeClients.Add(clientId);
                _rangeLows.Add(low);
                _rangeHighs.Add(high);
            }

            var lookup = new NpgsqlBatchCommand(
                "SELECT m.client_id, m.seq, m.id FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS k(c, low, high) " +
                "JOIN messages AS m ON m.client_id = k.c COLLATE \"C\" AND m.seq BETWEEN k.low AND k.high");
            lookup.Parameters.Add(new NpgsqlParameter<List<string>> { TypedValue = _rangeClients, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            lookup.Parameters.Add(new NpgsqlParameter<List<long>> { TypedValue = _rangeLows, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            lookup.Parameters.Add(new NpgsqlParameter<List<long>> { TypedValue = _rangeHighs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            batch.BatchCommands.Add(lookup);
        }

        using var reader = batch.ExecuteReader();
        reader.NextResult();
        reader.NextResult();
        reader.Read();
        var maxId = reader.GetInt64(0);
        if (reader.NextResult())
        {
            while (reader.Read())
            {
                _found[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
            }
        }

        return maxId;
    }

    /// <summary>Finds the copy of message <paramref name="index"/> earlier in the batch; its id is 0 when it was not stored either.</summary>
    private static bool TryFindEarlierCopy(IReadOnlyList<PendingMessage> messages, int index, out long id)
    {
        var message = messages[index];
        for (var i = index - 1; i >= 0; i--)
        {
            var earlier = messages[i];
            if (earlier.Sequence == message.Sequence && string.Equals(earlier.ClientId, message.ClientId, StringComparison.Ordinal))
            {
                id = earlier.Id;
                return true;
            }
        }

        id = 0;
        return false;
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
