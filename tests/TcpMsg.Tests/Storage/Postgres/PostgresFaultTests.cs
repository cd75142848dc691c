using System.Globalization;
using System.Text;
using TcpMsg.Tests.Cli;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL goes away while <c>tcpmsg serve</c> stores into it (restarted, or stopped for a while):
/// nothing is acknowledged that was not committed, the server says when it lost the store and when
/// it is back, and a <c>send --retry --client-id</c> sender ends with every message stored exactly once.
/// </summary>
public sealed class PostgresFaultTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Part = 3000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sender_through_a_postgresql_outage_stores_every_message_exactly_once(bool stopForAWhile)
    {
        var server = await postgres.ServerAsync();
        var url = await postgres.NewDatabaseAsync();
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", url]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--retry", "90s", "--client-id", "outage"]);

        await send.WriteInputAsync(Lines(1, Part));
        await Eventually.UntilAsync(async () => await StoredAsync(url) >= Part / 2, "the first messages to be stored", TestTimeouts.Extended);
        if (stopForAWhile)
        {
            await server.StopAsync();
            await send.WriteInputAsync(Lines(Part + 1, 2 * Part));
            await serve.WaitForErrorAsync(e => e.Contains("store failed (IoError): cannot store messages in PostgreSQL at 127.0.0.1", StringComparison.Ordinal), "the line that the store is lost", TestTimeouts.Extended);
            await server.ResumeAsync();
        }
        else
        {
            await server.RestartAsync();
            await send.WriteInputAsync(Lines(Part + 1, 2 * Part));
        }

        await send.WriteInputAsync(Lines((2 * Part) + 1, 3 * Part));
        send.CloseInput();
        Assert.True(await send.WaitForExitAsync(TestTimeouts.Extended) == 0, "send: " + send.Error);
        await serve.WaitForErrorAsync(e => e.Contains("store recovered after", StringComparison.Ordinal), "the line that the store is back", TestTimeouts.Extended);

        // Every sequence once, with its own text.
        await using var connection = await PostgresMessageStoreTests.ConnectAsync(url);
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT count(*), count(DISTINCT seq), min(seq), max(seq), count(*) FILTER (WHERE text <> 'message ' || seq) FROM messages WHERE client_id = 'outage'", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(((long)(3 * Part), (long)(3 * Part), 1L, (long)(3 * Part), 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        Assert.DoesNotContain("   at ", serve.Error, StringComparison.Ordinal);

        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
    }

    private static string Lines(int from, int to)
    {
        var text = new StringBuilder();
        for (var i = from; i <= to; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"message {i}\n");
        }

        return text.ToString();
    }

    private static async Task<long> StoredAsync(string url)
    {
        try
        {
            await using var connection = await PostgresMessageStoreTests.ConnectAsync(url);
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM messages", connection);
            return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == "42P01")
        {
            // The server has not made the schema yet.
            return 0;
        }
    }
}
