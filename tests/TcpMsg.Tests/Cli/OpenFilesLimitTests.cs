using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// `tcpmsg serve` in a process whose open-files limit is far below --max-connections (ulimit -n 300,
/// soft and hard): it says so at start, serves what the limit has room for, refuses the rest at
/// once without spinning on failed accepts, and serves new clients once others have gone.
/// </summary>
public sealed class OpenFilesLimitTests : LoopbackTest
{
    private const int Limit = 300;

    [Fact]
    public async Task A_server_short_of_descriptors_refuses_the_excess_and_keeps_serving()
    {
        // Not a silent pass elsewhere: said as a skip (ulimit and /proc are Linux's).
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the open-files limit test needs Linux (ulimit -n, /proc)");

        await using var serve = ChildProcess.Start(
            "bash",
            ["-c", $"ulimit -n {Limit} && exec \"$0\" \"$@\"", ChildProcess.DotnetHost, CliBuild.DllPath, "serve", "--listen", "127.0.0.1:0", "--no-store", "--max-connections-per-ip", "0"]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        Assert.Contains("open-files limit (300", serve.Error, StringComparison.Ordinal);
        var capacity = int.Parse(CapacityIn(serve.Error), CultureInfo.InvariantCulture);
        Assert.InRange(capacity, 1, Limit - 64);

        // More clients than the limit allows descriptors for; they all get through the kernel's backlog.
        var server = new IPEndPoint(IPAddress.Loopback, port);
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < Limit + 50; i++)
            {
                clients.Add(await RawClient.ConnectAsync(server));
            }

            await serve.WaitForErrorAsync(e => e.Contains($"at its limit of {capacity} connections", StringComparison.Ordinal), "a refusal at the descriptor budget");

            // Refused peers are closed, not left to make the accept loop spin: from the first refusal to
            // the summary of the others (a second later), the server is nearly idle.
            var before = CpuSeconds(serve.Id);
            var clock = Stopwatch.StartNew();
            await serve.WaitForErrorAsync(e => e.Contains("more connections", StringComparison.Ordinal), "the summary of the refusals");
            var used = CpuSeconds(serve.Id) - before;
            Assert.True(used < 0.5 * Math.Max(1, clock.Elapsed.TotalSeconds), $"the server used {used:0.00} s of CPU in {clock.Elapsed.TotalSeconds:0.0} s while at its limit");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        // Once the clients are gone, a new one is served as usual.
        await Eventually.UntilAsync(
            async () =>
            {
                using var client = await RawClient.ConnectAsync(server);
                await client.SendAsync("after the crowd\n");
                client.Socket.Shutdown(SocketShutdown.Send);
                await client.WaitForServerCloseAsync();
                return serve.Out.Contains(">>>after the crowd", StringComparison.Ordinal);
            },
            "a new client to be served");
        Assert.DoesNotContain("Unhandled exception", serve.Error, StringComparison.Ordinal);

        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
    }

    private static string CapacityIn(string error)
    {
        const string Marker = "leaves room for ";
        var start = error.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        return error[start..error.IndexOf(' ', start)];
    }

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
