using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>
/// Persistent connections writing lines as fast as the receiver takes them: each thread owns one
/// connection and a chunk of pre-encoded lines, patches the ids in and sends the chunk. No
/// allocation per message; one <c>send</c> per 64 KiB.
/// </summary>
internal static class StreamSender
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>Sends messages <paramref name="firstId"/>.. split over <paramref name="connections"/>; returns the unsent ones.</summary>
    public static long Run(IPEndPoint endPoint, Payload payload, long firstId, long count, int connections, Deadline deadline)
    {
        long unsent = 0;
        var threads = new Thread[connections];
        for (var c = 0; c < connections; c++)
        {
            var from = firstId + (count * c / connections);
            var to = firstId + (count * (c + 1) / connections);
            threads[c] = new Thread(() =>
            {
                var sent = Send(endPoint, payload, from, to, deadline);
                Interlocked.Add(ref unsent, to - from - sent);
            })
            { IsBackground = true, Name = "stream" };
            threads[c].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join(deadline.Remaining + TimeSpan.FromSeconds(15));
        }

        return Interlocked.Read(ref unsent);
    }

    private static long Send(IPEndPoint endPoint, Payload payload, long from, long to, Deadline deadline)
    {
        var lineSize = payload.LineSize;
        var perChunk = Math.Max(1, ChunkBytes / lineSize);
        var chunk = new byte[perChunk * lineSize];
        for (var i = 0; i < perChunk; i++)
        {
            payload.WriteLine(chunk.AsSpan(i * lineSize), 0);
        }

        long sent = 0;
        try
        {
            using var socket = Sockets.Connect(endPoint, deadline, noDelay: false);
            for (var id = from; id < to && !deadline.Passed;)
            {
                var lines = (int)Math.Min(perChunk, to - id);
                for (var i = 0; i < lines; i++)
                {
                    Payload.PatchId(chunk.AsSpan(i * lineSize), id + i);
                }

                Sockets.SendAll(socket, chunk.AsSpan(0, lines * lineSize));
                id += lines;
                sent += lines;
            }

            Sockets.FinishAndAwaitClose(socket, chunk, deadline);
        }
        catch (SocketException)
        {
            // What was sent is counted; verification tells what arrived.
        }

        return sent;
    }
}
