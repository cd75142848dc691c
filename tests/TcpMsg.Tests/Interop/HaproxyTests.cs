using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Interop;

/// <summary>
/// tcpmsg behind a real HAProxy in TCP mode (docs/scaling.md): the PROXY protocol v2 keeps each
/// message's real sender, health checks on /readyz take a dead server out, and <c>send --retry</c>
/// goes on through the balancer to the other server when the one it was on is killed.
/// </summary>
public sealed partial class HaproxyTests : LoopbackTest
{
    [Fact]
    public async Task Through_haproxy_with_send_proxy_v2_each_message_keeps_its_senders_address()
    {
        await using var first = await ServerAsync("--no-store");
        await using var second = await ServerAsync("--no-store");
        await using var haproxy = await HaproxyServer.StartAsync([first.Backend, second.Backend], sendProxyV2: true);
        var balancer = new IPEndPoint(IPAddress.Loopback, haproxy.Port);

        foreach (var (from, text) in new[] { ("127.0.0.9", "你好,世界!!!"), ("127.0.0.10", "from ten") })
        {
            using var client = await RawClient.ConnectAsync(balancer, IPAddress.Parse(from));
            await client.SendAsync(text + "\n");
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
        }

        await Eventually.UntilAsync(() => Output(first, second).Contains(">>>from ten", StringComparison.Ordinal), "both messages on the servers behind haproxy");
        var output = Output(first, second);
        Assert.Contains("127.0.0.9 sent a message>>>你好,世界!!!", output, StringComparison.Ordinal);
        Assert.Contains("127.0.0.10 sent a message>>>from ten", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PROXY", first.Process.Error + second.Process.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_retry_goes_on_through_haproxy_when_its_server_is_killed_and_nothing_is_lost()
    {
        await using var first = await ServerAsync("--store", Temp.File("first.db"), "--rate", "400/s");
        await using var second = await ServerAsync("--store", Temp.File("second.db"), "--rate", "400/s");
        await using var haproxy = await HaproxyServer.StartAsync([first.Backend, second.Backend], sendProxyV2: true);
        const int Lines = 2000;
        var (survivor, send) = await SendAndKillMidStreamAsync(first, second, haproxy, Lines, killAt: 200);
        await using (send)
        {
            Assert.Contains($">>>line {Lines}\n", survivor.Process.Out, StringComparison.Ordinal);
        }

        // Each server has its own store here: every line is in one of them (a shared PostgreSQL store
        // is what also makes the resend after the failover exactly-once across servers).
        var stored = Texts(Temp.File("first.db")).Concat(Texts(Temp.File("second.db"))).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Lines, Enumerable.Range(1, Lines).Count(i => stored.Contains($"line {i}")));
    }

    /// <summary>
    /// <c>send --retry --client-id failover</c> of lines <c>line 1..</c> through <paramref name="haproxy"/>; the server
    /// the sender is on (the one printing its lines) is killed with SIGKILL once it printed line
    /// <paramref name="killAt"/>. Returns the other server and the sender, which has exited 0 and said it lost the connection.
    /// </summary>
    internal static async Task<(Server Survivor, ChildProcess Send)> SendAndKillMidStreamAsync(Server first, Server second, HaproxyServer haproxy, int lines, int killAt)
    {
        var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{haproxy.Port}", "--retry", "2m", "--client-id", "failover", "--lang", "en"]);
        try
        {
            await send.WriteInputAsync(string.Concat(Enumerable.Range(1, lines).Select(i => $"line {i}\n")));
            send.CloseInput();
            var marker = $">>>line {killAt}\n";
            await Eventually.UntilAsync(() => first.Process.Out.Contains(marker, StringComparison.Ordinal) || second.Process.Out.Contains(marker, StringComparison.Ordinal), $"{killAt} lines stored", TestTimeouts.Extended);
            var (victim, survivor) = first.Process.Out.Contains(marker, StringComparison.Ordinal) ? (first, second) : (second, first);
            victim.Process.Signal(ChildProcess.SigKill);
            await victim.Process.WaitForExitAsync();
            Assert.DoesNotContain($">>>line {lines}\n", victim.Process.Out, StringComparison.Ordinal);

            Assert.True(await send.WaitForExitAsync(TestTimeouts.Extended) == 0, send.Error + haproxy.Log);
            Assert.Contains("lost the connection", send.Error, StringComparison.Ordinal);
            return (survivor, send);
        }
        catch
        {
            await send.DisposeAsync();
            throw;
        }
    }

    internal static async Task<Server> ServerAsync(params string[] options)
    {
        var process = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--http", "127.0.0.1:0", "--proxy-protocol", "--trusted-proxy", "127.0.0.1/32", "--lang", "en", .. options]);
        try
        {
            var port = await Cli.EndToEndTests.ListeningPortAsync(process);
            await process.WaitForErrorAsync(e => HttpLine().IsMatch(e), "the HTTP endpoint");
            var health = int.Parse(HttpLine().Match(process.Error).Groups["port"].Value, CultureInfo.InvariantCulture);
            return new Server(process, new HaproxyServer.Backend(port, health));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static string Output(Server first, Server second) => first.Process.Out + second.Process.Out;

    private static List<string> Texts(string store)
    {
        if (!File.Exists(store))
        {
            return [];
        }

        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT text FROM messages";
        using var reader = command.ExecuteReader();
        var texts = new List<string>();
        while (reader.Read())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    [GeneratedRegex(@"on http://127\.0\.0\.1:(?<port>\d+)/")]
    private static partial Regex HttpLine();

    internal sealed record Server(ChildProcess Process, HaproxyServer.Backend Backend) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
