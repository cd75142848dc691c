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
/// for the slow-client timeout. The whole run is bounded by the phase limit; when it fails or
/// runs out of time, what it measured until then is returned with why.
/// </summary>
internal static class Burst
{
    private const int LineBytes = 60;

    public static async Task<BurstResult> RunAsync(BenchOptions options, int members)
    {
        var messages = options.BurstMessages;
        string[] args = options.ChatQueue is { } queue ? ["--chat", "--chat-history", "0", "--chat-queue", queue.ToString(CultureInfo.InvariantCulture)] : ["--chat", "--chat-history", "0"];
        await using var server = await ServerProcess.StartAsync(args, options.Durability).ConfigureAwait(false);
        using var limit = new CancellationTokenSource(options.PhaseLimit);
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        var readers = new List<BurstReader>();
        long start = 0, stored = 0;
        var removed = double.NaN;
        var cpuBefore = server.CpuSeconds();
        string? failure = null;
        double peak = -1;
        try
        {
            await stalled.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), limit.Token).ConfigureAwait(false);
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
            cpuBefore = server.CpuSeconds();
            start = Stopwatch.GetTimestamp();
            await FloodAsync(flooder, messages, limit.Token).ConfigureAwait(false);
            while (server.MessageLines < messages)
            {
                await Task.Delay(2, limit.Token).ConfigureAwait(false);
            }

            stored = Stopwatch.GetTimestamp();
            await Task.WhenAll(readers.Select(r => r.Done)).WaitAsync(limit.Token).ConfigureAwait(false);
            peak = server.MemoryMib().Peak;

            // The member that never read: removed once its socket took nothing for the timeout (30 s by default).
            while (server.SlowDisconnects == 0)
            {
                await Task.Delay(20, limit.Token).ConfigureAwait(false);
            }

            removed = Seconds(start, Stopwatch.GetTimestamp());
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            failure = $"not finished within the phase limit ({options.PhaseLimit.TotalSeconds:N0} s)";
        }
        catch (Exception ex) when (ex is InvalidOperationException or SocketException or IOException)
        {
            failure = ex.Message;
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }

        // Whatever happened, what was measured is reported.
        peak = Math.Max(peak, server.MemoryMib().Peak);
        var cpu = server.CpuSeconds() - cpuBefore;
        var perMember = start == 0
            ? []
            : readers.Where(r => r.Received > 0).Select(r => r.Received / Seconds(start, r.Last)).Order().ToArray();
        var received = readers.Select(r => r.Received).Order().ToArray();
        var last = readers.Count == 0 ? 0 : readers.Max(r => r.Last);
        var catchUp = stored == 0 || received.Length == 0 || received[0] < messages ? double.NaN : Math.Max(0, Seconds(stored, last));
        failure ??= readers.FirstOrDefault(r => r.Done.IsFaulted)?.Done.Exception?.InnerException?.Message;
        if (failure is null && double.IsNaN(removed))
        {
            failure = "the member that never read was not removed";
        }

        return new BurstResult(
            members,
            messages,
            stored == 0 ? double.NaN : Seconds(start, stored),
            perMember,
            catchUp,
            readers.Count(r => r.Disconnected),
            peak,
            removed,
            received,
            cpu,
            failure);
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
