using System.Globalization;
using Microsoft.Data.Sqlite;
using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// The promise of confirmed mode, tested the hard way: kill -9 the server process in the middle of
/// heavy traffic, restart it on the same store, let the senders retry; then every acknowledged
/// message is stored exactly once and every sender's sequence is complete.
/// </summary>
public sealed class KillTests : LoopbackTest
{
    private const int Senders = 10;
    private const int MessagesPerSender = 20_000;

    [Fact]
    public async Task Acknowledged_messages_survive_kill_9_exactly_once_and_retries_fill_every_gap()
    {
        using var directory = new TempDirectory();
        var store = directory.File("kill.db");
        var first = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
        var port = await EndToEndTests.ListeningPortAsync(first);

        var options = MessageClientOptions.Default with { RetryFor = TestTimeouts.Extended, Window = 512, AckTimeout = TimeSpan.FromSeconds(10) };
        var clients = await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => MessageClient.ConnectAsync("127.0.0.1", port, options, Token)));
        var senders = clients.Select((client, s) => Task.Run(async () =>
        {
            for (var i = 1; i <= MessagesPerSender; i++)
            {
                await client.EnqueueAsync($"sender {s} message {i} 消息", Token);
            }

            await client.CompleteAsync(Token);
        }, Token)).ToArray();

        // Mid-way: some messages acknowledged, most not yet.
        await Eventually.UntilAsync(() => clients.Sum(c => c.Statistics.Delivered) >= Senders * MessagesPerSender / 10, "a tenth of the messages to be acknowledged", TestTimeouts.Extended);
        var acknowledgedBeforeKill = clients.Sum(c => c.Statistics.Delivered);
        first.Signal(ChildProcess.SigKill);
        await first.WaitForExitAsync();
        await first.DisposeAsync();
        Assert.True(acknowledgedBeforeKill < Senders * MessagesPerSender, "the kill came too late to prove anything");

        await using var second = ChildProcess.StartTcpMsg(["serve", "--listen", $"127.0.0.1:{port}", "--store", store]);
        await EndToEndTests.ListeningPortAsync(second);
        await Task.WhenAll(senders).WithTimeout(TestTimeouts.Extended);

        Assert.All(clients, c => Assert.Equal(MessagesPerSender, c.Statistics.Delivered));
        Assert.All(clients, c => Assert.Equal(0, c.Statistics.Failed));
        Assert.True(clients.Sum(c => c.Statistics.Reconnects) >= Senders);

        second.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await second.WaitForExitAsync());
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        foreach (var client in clients)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM messages WHERE client_id = $c";
            command.Parameters.AddWithValue("$c", client.ClientId);
            using var reader = command.ExecuteReader();
            reader.Read();
            var counts = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            Assert.Equal(((long)MessagesPerSender, (long)MessagesPerSender, 1L, (long)MessagesPerSender), counts);
        }

        using var texts = connection.CreateCommand();
        texts.CommandText = "SELECT count(*) FROM messages WHERE text <> 'sender ' || substr(text, 8, instr(substr(text, 8), ' ') - 1) || ' message ' || seq || ' 消息'";
        Assert.Equal(0L, Convert.ToInt64(texts.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
