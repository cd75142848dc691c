using System.Globalization;
using System.Text;
using TcpMsg.Tests.Cli;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary><c>tcpmsg serve</c>, <c>send</c> and <c>history</c> as real processes on a PostgreSQL store.</summary>
public sealed class PostgresCliTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Serve_stores_in_postgresql_and_history_reads_it_with_its_filters_and_follows_it()
    {
        var url = await postgres.NewDatabaseAsync();
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", url]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        await using (var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--client-id", "cli"], stdin: "你好,世界!!!\nsecond line\nthird\n"))
        {
            Assert.Equal(0, await send.WaitForExitAsync());
        }

        Assert.Equal("你好,世界!!!\nsecond line\nthird\n", Texts(await HistoryAsync(url, "--format", "json", "--sender", "cli")));
        Assert.Equal("3\n", await HistoryAsync(url, "--count"));
        Assert.Equal("1\n", await HistoryAsync(url, "--count", "--contains", "line"));
        Assert.Equal("0\n", await HistoryAsync(url, "--count", "--contains", "LINE"));
        Assert.Equal("third\n", Texts(await HistoryAsync(url, "--format", "json", "--limit", "1")));
        Assert.Equal("3\n", await HistoryAsync(url, "--count", "--from", "127.0.0.1", "--since", "1h"));
        Assert.Equal("0\n", await HistoryAsync(url, "--count", "--until", "1h"));

        // --follow: the newest first, then what is stored from then on.
        await using var follow = ChildProcess.StartTcpMsg(["history", "--store", url, "--follow", "--limit", "1", "--format", "json"]);
        await follow.WaitForOutputAsync(o => o.Contains("third", StringComparison.Ordinal), "the newest stored message");
        await using (var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "after follow started"]))
        {
            Assert.Equal(0, await send.WaitForExitAsync());
        }

        await follow.WaitForOutputAsync(o => o.Contains("after follow started", StringComparison.Ordinal), "the message stored while following");
        Assert.DoesNotContain("second line", follow.Out, StringComparison.Ordinal);
        follow.Signal(ChildProcess.SigInt);
        Assert.Equal(0, await follow.WaitForExitAsync());

        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
    }

    [Theory]
    [InlineData("postgresql://tcpmsg:secret@127.0.0.1:5432/db")]
    [InlineData("Host=127.0.0.1;Username=tcpmsg;Password=secret;Database=db")]
    public async Task A_password_on_the_command_line_is_refused_before_anything_connects(string store)
    {
        foreach (var command in new[] { "serve", "history" })
        {
            await using var process = ChildProcess.StartTcpMsg([command, "--store", store]);
            Assert.Equal(2, await process.WaitForExitAsync());
            Assert.Contains("must not hold the password", process.Error, StringComparison.Ordinal);
            Assert.Contains("--store-password-file", process.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreachable_postgresql_at_start_is_one_clear_line_naming_host_and_port()
    {
        var port = SendCommandTests.FreePort();
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", $"postgresql://tcpmsg@127.0.0.1:{port}/nowhere"]);
        Assert.Equal(11, await serve.WaitForExitAsync());
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL at 127.0.0.1:{port}/nowhere: cannot connect"), serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", serve.Error, StringComparison.Ordinal);
        Assert.Single(serve.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await using var history = ChildProcess.StartTcpMsg(["history", "--store", $"postgresql://tcpmsg@127.0.0.1:{port}/nowhere"]);
        Assert.Equal(11, await history.WaitForExitAsync());
        Assert.Contains("cannot connect", history.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_on_postgresql_is_refused_as_sqlite_only()
    {
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--store", "postgresql://tcpmsg@127.0.0.1:1/db", "--retain", "30d"]);
        Assert.Equal(2, await serve.WaitForExitAsync());
        Assert.Contains("for the SQLite store only", serve.Error, StringComparison.Ordinal);
    }

    /// <summary>The texts of <c>history --format json</c> output, one a line.</summary>
    internal static string Texts(string json)
    {
        var texts = new StringBuilder();
        foreach (var line in json.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            texts.Append(document.RootElement.GetProperty("text").GetString()).Append('\n');
        }

        return texts.ToString();
    }

    internal static async Task<string> HistoryAsync(string url, params string[] arguments)
    {
        await using var history = ChildProcess.StartTcpMsg(["history", "--store", url, .. arguments]);
        var code = await history.WaitForExitAsync();
        Assert.True(code == 0, $"history {string.Join(' ', arguments)} exited {code}: {history.Error}");
        return history.Out;
    }
}
