using System.Diagnostics;
using System.Globalization;
using System.Text;
using TcpMsg.Cli;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// <c>tcpmsg send --retry 8s</c>, a real process, against a real server whose store fails for good
/// (its small file system stays full): each reconnect is answered with a WELCOME and then fails
/// again, and none of that extends the deadline; send gives up when the 8 s from the first failure
/// are spent and exits 11 (the store), not 0 and not never.
/// </summary>
public sealed class RetryDeadlineEndToEndTests : LoopbackTest
{
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Send_gives_up_when_its_retry_time_is_spent_against_a_store_that_keeps_failing()
    {
        using var disk = new SmallFileSystem(8);
        var store = disk.File("store.db");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]);
        var port = await EndToEndTests.ListeningPortAsync(serve);

        // The store exists; now its disk is full, and stays full.
        disk.Fill("filler");
        var lines = new StringBuilder();
        for (var i = 1; i <= 2_000; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"line {i} ").Append('x', 2000).Append('\n');
        }

        var started = Stopwatch.StartNew();
        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "--retry", "8s", "--client-id", "deadline"]);

        // Fed as it reads (it stops reading while nothing is acknowledged); a pipe it closed by exiting ends the feeding.
        var feeding = FeedAsync(send, lines.ToString());
        var exit = await send.WaitForExitAsync(TestTimeouts.Extended);
        var elapsed = started.Elapsed;
        await feeding.WithTimeout();

        Assert.True(exit == ExitCodes.StoreFailed, $"send exited {exit} after {elapsed.TotalSeconds:0.#} s: {send.Error}\nserve: {serve.Error}");
        Assert.True(elapsed >= s_retry, $"send gave up after {elapsed.TotalSeconds:0.#} s, before its retry time of {s_retry.TotalSeconds} s");
        Assert.Contains("store failed", serve.Error, StringComparison.Ordinal);
    }

    private static async Task FeedAsync(ChildProcess send, string text)
    {
        try
        {
            await send.WriteInputAsync(text);
            send.CloseInput();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            // send has exited and closed its end.
        }
    }
}
