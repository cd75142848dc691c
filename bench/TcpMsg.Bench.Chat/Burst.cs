using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpMsg.Bench.Chat;

/// <summary>
/// The burst of issue #14: one flooder sends lines of 60 bytes as fast as it can and reads
/// nothing, N members read as fast as they can, one member never reads. Every reading member must
/// get every line in order; the one that never reads is removed only once its socket took nothing
/// for the slow-client timeout.
/// </summary>
internal static class Burst
{
    private const int LineBytes = 60;

    public static async Task<BurstResult> RunAsync(BenchOptions options, int members)
    {
        var messages = options.BurstMessages;
        await using var server = await ServerProcess.StartAsync(["--chat", "--chat-history", "0"], options.Durability).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(options.PhaseLimit);
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), limit.Token).ConfigureAwait(false);
        var readers = new List<BurstReader>();
        try
        {
            for (var i = 0; i < members; i++)
            {
                readers.Add(await BurstReader.ConnectAsync(server.Port, messages, limit.Token).ConfigureAwait(false));
            }

            // Silent members are in the room at once; the console announces them after a quiet second.
            while (server.Joins < members + 1)
            {
                await Task.Delay(5, limit.Token).ConfigureAwait(false);
            }

            using var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await flooder.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), limit.Token).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            await FloodAsync(flooder, messages, limit.Token).ConfigureAwait(false);
            while (server.MessageLines < messages)
            {
                await Task.Delay(2, limit.Token).ConfigureAwait(false);
            }

            var stored = Stopwatch.GetTimestamp();
            await Task.WhenAll(readers.Select(r => r.Done)).WaitAsync(limit.Token).ConfigureAwait(false);
            var last = readers.Max(r => r.Last);
            var peak = server.MemoryMib().Peak;
            var perMember = readers.Select(r => messages / Seconds(start, r.Last)).Order().ToArray();

            // The member that never read: removed once its socket took nothing for the timeout (30 s by default).
            var removed = double.NaN;
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (server.SlowDisconnects == 0 && !wait.IsCancellationRequested)
            {
                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            }

            if (server.SlowDisconnects > 0)
            {
                removed = Seconds(start, Stopwatch.GetTimestamp());
            }

            return new BurstResult(members, messages, Seconds(start, stored), perMember, Math.Max(0, Seconds(stored, last)), messages - readers.Min(r => r.Received), Math.Max(peak, server.MemoryMib().Peak), removed);
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task FloodAsync(Socket socket, int messages, CancellationToken cancellationToken)
    {
        var chunk = new StringBuilder(70_000);
        for (var i = 1; i <= messages; i++)
        {
            chunk.Append(i.ToString("D6", CultureInfo.InvariantCulture)).Append('.', LineBytes - 6).Append('\n');
            if (chunk.Length > 64_000 || i == messages)
            {
                var bytes = Encoding.ASCII.GetBytes(chunk.ToString());
                for (var sent = 0; sent < bytes.Length;)
                {
                    sent += await socket.SendAsync(bytes.AsMemory(sent), cancellationToken).ConfigureAwait(false);
                }

                chunk.Clear();
            }
        }
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
