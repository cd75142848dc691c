using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// A client id belongs to its sender (docs/security.md): one live connection per id, bound to the
/// token that first used it; two senders under one id could otherwise make each other's messages
/// "duplicates", and both would report success.
/// </summary>
public sealed class ClientIdTests : LoopbackTest
{
    [Fact]
    public async Task Two_concurrent_sends_under_one_client_id_cannot_both_report_success()
    {
        var store = Temp.File("shared.db");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using var first = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "shared"]);
        await first.WriteInputAsync(Lines("first", 1, 1000));
        await Eventually.UntilAsync(() => Count(store, "shared") >= 1, "the first sender to be connected and storing");

        await using var second = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "shared"], stdin: Lines("second", 1, 2000));
        var secondExit = await second.WaitForExitAsync();
        await first.WriteInputAsync(Lines("first", 1001, 1000));
        first.CloseInput();
        var firstExit = await first.WaitForExitAsync();

        Assert.Equal(0, firstExit);
        Assert.Equal(8, secondExit);
        Assert.Contains("client id shared is in use", second.Error, StringComparison.Ordinal);
        Assert.Equal(2000L, Count(store, "shared"));
        Assert.Equal(0L, Count(store, "shared", "second %"));
    }

    [Fact]
    public async Task With_tokens_a_client_id_stays_with_the_token_that_first_used_it()
    {
        var store = Temp.File("tokens.db");
        var tokens = Temp.File("tokens");
        const string alice = "alice-token-0123456789abcdef";
        const string mallory = "mallory-token-0123456789abcdef";
        await File.WriteAllTextAsync(tokens, $"{alice}\n{mallory}\n", TestContext.Current.CancellationToken);
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store, "--token-file", tokens]);
        var port = await EndToEndTests.ListeningPortAsync(serve);

        await using var victim = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "alice"], new Dictionary<string, string> { ["TCPMSG_TOKEN"] = alice }, Lines("alice", 1, 10));
        Assert.Equal(0, await victim.WaitForExitAsync());
        await using var thief = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "alice"], new Dictionary<string, string> { ["TCPMSG_TOKEN"] = mallory }, Lines("mallory", 11, 10));
        var thiefExit = await thief.WaitForExitAsync();
        await using var again = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "alice"], new Dictionary<string, string> { ["TCPMSG_TOKEN"] = alice }, Lines("alice", 11, 10));

        Assert.Equal(8, thiefExit);
        Assert.Contains("belongs to another sender", thief.Error, StringComparison.Ordinal);
        Assert.Equal(0, await again.WaitForExitAsync());
        Assert.Equal(20L, Count(store, "alice", "alice %"));
        Assert.Equal(0L, Count(store, "alice", "mallory %"));
    }

    [Fact]
    public async Task Send_without_a_client_id_uses_a_new_random_one_every_run()
    {
        var store = Temp.File("random.db");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        for (var run = 0; run < 2; run++)
        {
            await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}"], stdin: Lines($"run{run}", 1, 3));
            Assert.Equal(0, await send.WaitForExitAsync());
        }

        using var connection = Open(store);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(DISTINCT client_id), max(seq), min(length(client_id)) FROM messages";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal((2L, 3L), (reader.GetInt64(0), reader.GetInt64(1)));
        Assert.True(reader.GetInt64(2) >= 32, "the random id is long enough not to collide");
    }

    private static string Lines(string who, int first, int count)
    {
        var text = new StringBuilder();
        for (var i = first; i < first + count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{who} {i}\n");
        }

        return text.ToString();
    }

    private static SqliteConnection Open(string store)
    {
        var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Count(string store, string clientId, string like = "%")
    {
        if (!File.Exists(store))
        {
            return 0;
        }

        using var connection = Open(store);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages WHERE client_id = $c AND text LIKE $like";
        command.Parameters.AddWithValue("$c", clientId);
        command.Parameters.AddWithValue("$like", like);
        return (long)command.ExecuteScalar()!;
    }
}
