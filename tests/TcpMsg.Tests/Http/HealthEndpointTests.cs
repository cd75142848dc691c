using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

public sealed class HealthEndpointTests : LoopbackTest
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_flips_to_503_with_a_reason_while_the_store_fails_and_back_when_it_recovers()
    {
        await using var server = await HttpTestServer.StartAsync(options: TcpMsgServerOptions.Default with
        {
            Store = StoreOptions.Default with { BusyTimeout = TimeSpan.FromMilliseconds(100) },
        });
        var (status, body) = await GetAsync(server, "readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("writable", body.GetProperty("store").GetString());

        // Another connection holds the write lock: every commit fails after the busy timeout.
        using (var locker = new SqliteConnection($"Data Source={server.StorePath};Pooling=False"))
        {
            locker.Open();
            using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }

            using var plain = await RawClient.ConnectAsync(server.TcpEndPoint);
            await plain.SendAsync("held while the store is locked\n");
            await Eventually.UntilAsync(async () => (await GetAsync(server, "readyz")).Status == HttpStatusCode.ServiceUnavailable, "readyz to report 503");
            (status, body) = await GetAsync(server, "readyz");
            Assert.Equal("unavailable", body.GetProperty("status").GetString());
            Assert.Equal("failing", body.GetProperty("store").GetString());
            Assert.Contains("store", body.GetProperty("reason").GetString(), StringComparison.Ordinal);

            // The process still serves.
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(server, "healthz")).Status);
        }

        await Eventually.UntilAsync(async () => (await GetAsync(server, "readyz")).Status == HttpStatusCode.OK, "readyz to recover");
        await server.Inner.Sink.WaitForMessagesAsync(1);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path, Token).WithTimeout();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return (response.StatusCode, document.RootElement.Clone());
    }
}
