using Npgsql;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Interop;

/// <summary>
/// Two tcpmsg servers behind a real HAProxy, sharing one real PostgreSQL store (docs/scaling.md):
/// a sender whose server is killed with SIGKILL mid-stream goes on through the balancer to the other
/// one, resends what was not acknowledged, and the shared store ends with every message exactly
/// once: what the dead server had committed but not acknowledged is a duplicate the survivor
/// recognises by (client_id, seq), not a second row.
/// </summary>
public sealed class HaproxyPostgresTests
{
    [Fact]
    public async Task A_sender_whose_server_is_killed_stores_every_message_exactly_once_in_the_shared_postgresql()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var store = postgres.Url(await postgres.CreateDatabaseAsync("failover"));
        await using var first = await HaproxyTests.ServerAsync("--store", store, "--rate", "4000/s");
        await using var second = await HaproxyTests.ServerAsync("--store", store, "--rate", "4000/s");
        await using var haproxy = await HaproxyServer.StartAsync([first.Backend, second.Backend], sendProxyV2: true);
        const int Lines = 20_000;
        var (survivor, send) = await HaproxyTests.SendAndKillMidStreamAsync(first, second, haproxy, Lines, killAt: 5000);
        await using (send)
        {
            Assert.Contains($">>>line {Lines}\n", survivor.Process.Out, StringComparison.Ordinal);
        }

        await using var connection = new NpgsqlConnection(postgres.ConnectionString("failover"));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT text, count(*) FROM messages GROUP BY text", connection);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        Assert.Equal(Lines, counts.Count);
        Assert.All(Enumerable.Range(1, Lines), i => Assert.Equal(1, counts.GetValueOrDefault($"line {i}")));
    }
}
