using System.Text;
using Npgsql;
using NpgsqlTypes;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// Reads a PostgreSQL store: what <see cref="MessageHistory"/> does on SQLite, with the same filters.
/// One connection, used by one caller at a time. Ids are read in order up to what is committed;
/// why no row is skipped is written at <see cref="PostgresMessageWriter"/>.
/// </summary>
internal sealed class PostgresHistory : IDisposable
{
    private const string Select =
        "SELECT m.id, m.received_at, c.peer_address, c.peer_port, c.connection_id, c.framing, m.text, m.raw, m.client_id, m.seq, m.sender, c.client_cert, " +
        "s.format, s.facility, s.severity, s.\"timestamp\", s.host, s.app, s.procid, s.msgid, s.sd, s.body " +
        "FROM messages AS m JOIN connections AS c ON c.id = m.connection LEFT JOIN syslog AS s ON s.message = m.id";

    private readonly NpgsqlDataSource _dataSource;
    private NpgsqlConnection? _connection;

    private PostgresHistory(PostgresLocation location, NpgsqlDataSource dataSource, NpgsqlConnection connection)
    {
        Location = location;
        _dataSource = dataSource;
        _connection = connection;
    }

    public PostgresLocation Location { get; }

    /// <summary>Connects and checks that the database holds a tcpmsg store of this version.</summary>
    /// <exception cref="StoreException">It cannot be reached or read, or holds no such store.</exception>
    public static PostgresHistory Open(string store, string? passwordFile, string applicationName = "tcpmsg history")
    {
        var location = PostgresLocation.Parse(store, passwordFile);
        var dataSource = location.CreateDataSource(applicationName);
        NpgsqlConnection? connection = null;
        try
        {
            connection = dataSource.OpenConnection();
            PostgresSchema.CheckReadable(connection, location.Display);
            return new PostgresHistory(location, dataSource, connection);
        }
        catch (Exception ex) when (ex is not StoreException && PostgresErrors.IsStoreError(ex))
        {
            connection?.Dispose();
            dataSource.Dispose();
            throw PostgresErrors.Translate(ex, location.Display, "cannot read");
        }
        catch
        {
            connection?.Dispose();
            dataSource.Dispose();
            throw;
        }
    }

    /// <summary>The connection, opened again if it was lost.</summary>
    public NpgsqlConnection Connection => _connection ??= _dataSource.OpenConnection();

    /// <summary>Read after a failure: drops the connection, so that the next call opens a new one.</summary>
    public void Reset()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public List<StoredMessage> Query(HistoryQuery query, bool forward) => Run(() =>
    {
        var messages = new List<StoredMessage>();
        using var command = QueryCommand(query, forward);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            messages.Add(Row(reader));
        }

        return messages;
    });

    /// <summary>The same, without blocking a thread while PostgreSQL answers (for readers inside the server).</summary>
    public async Task<List<StoredMessage>> QueryAsync(HistoryQuery query, bool forward, CancellationToken cancellationToken)
    {
        try
        {
            var messages = new List<StoredMessage>();
            await using var command = QueryCommand(query, forward);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messages.Add(Row(reader));
            }

            return messages;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && PostgresErrors.IsStoreError(ex) && ex is not StoreException)
        {
            Reset();
            throw PostgresErrors.Translate(ex, Location.Display, "cannot read");
        }
    }

    private NpgsqlCommand QueryCommand(HistoryQuery query, bool forward)
    {
        var command = new NpgsqlCommand { Connection = Connection };
        var where = Filter(command, query);
        command.CommandText = $"{Select}{where} ORDER BY m.id {(forward ? "ASC" : "DESC")} LIMIT {Param(command, (long)query.Limit, NpgsqlDbType.Bigint)}";
        return command;
    }

    private static StoredMessage Row(NpgsqlDataReader reader) => StoredRows.Read(reader, reader.GetFieldValue<DateTimeOffset>(1));

    public long Count(HistoryQuery query) => Run(() =>
    {
        using var command = new NpgsqlCommand { Connection = Connection };
        var where = Filter(command, query);
        var connections = where.Contains(" c.", StringComparison.Ordinal) ? " JOIN connections AS c ON c.id = m.connection" : string.Empty;
        var syslog = where.Contains(" s.", StringComparison.Ordinal) ? " LEFT JOIN syslog AS s ON s.message = m.id" : string.Empty;
        command.CommandText = $"SELECT count(*) FROM messages AS m{connections}{syslog}{where}";
        return (long)command.ExecuteScalar()!;
    });

    public long MaxId() => Run(() =>
    {
        using var command = new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM messages", Connection);
        return (long)command.ExecuteScalar()!;
    });

    /// <summary>The chat room's catch-up read: as <see cref="MessageHistory"/>'s on SQLite, the text as its UTF-8 bytes.</summary>
    public int ReadChatForward(long afterId, int limit, ChatRowHandler onRow) => Run(() =>
    {
        using var command = new NpgsqlCommand(
            "SELECT m.id, m.received_at, c.connection_id, m.text, coalesce(m.sender, CASE WHEN strpos(c.peer_address, ':') > 0 " +
            "THEN '[' || c.peer_address || ']:' ELSE c.peer_address || ':' END || c.peer_port) " +
            "FROM messages AS m JOIN connections AS c ON c.id = m.connection WHERE m.id > $1 ORDER BY m.id LIMIT $2",
            Connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit, NpgsqlDbType = NpgsqlDbType.Bigint });
        var count = 0;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // The text column as the UTF-8 bytes PostgreSQL sends, without a string.
            var text = reader.GetFieldValue<byte[]>(3);
            onRow(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(4), text);
            count++;
        }

        return count;
    });

    public void Dispose()
    {
        Reset();
        _dataSource.Dispose();
    }

    private T Run<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (PostgresErrors.IsStoreError(ex) && ex is not StoreException)
        {
            Reset();
            throw PostgresErrors.Translate(ex, Location.Display, "cannot read");
        }
    }

    private static string Param<T>(NpgsqlCommand command, T value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value, NpgsqlDbType = type });
        return "$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Filter(NpgsqlCommand command, HistoryQuery query)
    {
        var where = new StringBuilder();
        void And(string condition) => where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
        if (query.AfterId > 0)
        {
            And("m.id > " + Param(command, query.AfterId, NpgsqlDbType.Bigint));
        }

        if (query.Since is { } since)
        {
            And("m.received_at >= " + Param(command, since.ToUniversalTime(), NpgsqlDbType.TimestampTz));
        }

        if (query.Until is { } until)
        {
            And("m.received_at < " + Param(command, until.ToUniversalTime(), NpgsqlDbType.TimestampTz));
        }

        if (query.FromAddress is { } address)
        {
            And("c.peer_address = " + Param(command, address, NpgsqlDbType.Text));
        }

        if (query.FromPort is { } port)
        {
            And("c.peer_port = " + Param(command, port, NpgsqlDbType.Integer));
        }

        if (query.ClientId is { } clientId)
        {
            And("m.client_id = " + Param(command, clientId, NpgsqlDbType.Text));
        }

        if (!string.IsNullOrEmpty(query.Contains))
        {
            // Case-sensitive, the text exactly as given (no LIKE wildcards), as on SQLite; a scan of
            // the text (PostgreSQL's pg_trgm index could serve it; tcpmsg does not make one).
            And("strpos(m.text, " + Param(command, query.Contains, NpgsqlDbType.Text) + ") > 0");
        }

        if (query.App is { } app)
        {
            And("s.app = " + Param(command, app, NpgsqlDbType.Text));
        }

        if (query.Host is { } host)
        {
            And("s.host = " + Param(command, host, NpgsqlDbType.Text));
        }

        if (query.Severity is { } severity)
        {
            And("s.severity <= " + Param(command, severity, NpgsqlDbType.Integer));
        }

        return where.ToString();
    }
}
