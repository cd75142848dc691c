using Npgsql;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL that tests start for themselves works as the shared store needs it: a database of
/// its own per test, exactly-once inserts by a unique key, LISTEN/NOTIFY, and data that survives a
/// restart of the server.
/// </summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task A_test_started_postgresql_keeps_unique_rows_notifies_listeners_and_survives_a_restart()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync("fixture");
        await using (var connection = await OpenAsync(postgres, database))
        {
            await ExecuteAsync(connection, "CREATE TABLE messages (id bigserial PRIMARY KEY, client_id text NOT NULL, seq bigint NOT NULL, text text NOT NULL, UNIQUE (client_id, seq))");
            Assert.Equal(1, await ExecuteAsync(connection, "INSERT INTO messages (client_id, seq, text) VALUES ('a', 1, '你好,世界!!!') ON CONFLICT DO NOTHING"));
            Assert.Equal(0, await ExecuteAsync(connection, "INSERT INTO messages (client_id, seq, text) VALUES ('a', 1, 'again') ON CONFLICT DO NOTHING"));

            await using var listener = await OpenAsync(postgres, database);
            var notified = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            listener.Notification += (_, e) => notified.TrySetResult(e.Payload);
            await ExecuteAsync(listener, "LISTEN committed");
            await ExecuteAsync(connection, "NOTIFY committed, '1'");
            await listener.WaitAsync(TestTimeouts.Default, TestContext.Current.CancellationToken);
            Assert.Equal("1", await notified.Task.WithTimeout());
        }

        await postgres.RestartAsync();

        await using var after = await OpenAsync(postgres, database);
        await using var read = new NpgsqlCommand("SELECT text FROM messages WHERE client_id = 'a' AND seq = 1", after);
        Assert.Equal("你好,世界!!!", await read.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<NpgsqlConnection> OpenAsync(PostgresServer postgres, string database)
    {
        var connection = new NpgsqlConnection(postgres.ConnectionString(database));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
