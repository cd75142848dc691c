using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>
/// One message per connection, the tutorial's pattern: connect, send, shut down sending, wait for the
/// server's close. <c>concurrency</c> threads with blocking sockets, each reusing one encoded line.
/// </summary>
internal static class ConnectionChurn
{
    /// <summary>Sends messages <paramref name="firstId"/>.. over <paramref name="count"/> connections; returns the failed ones.</summary>
    public static long Run(IPEndPoint endPoint, Payload payload, long firstId, long count, int concurrency, Deadline deadline)
    {
        long next = -1;
        long failed = 0;
        var threads = new Thread[Math.Max(1, Math.Min(concurrency, (int)Math.Min(count, int.MaxValue)))];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                var line = new byte[payload.LineSize];
                payload.WriteLine(line, firstId);
                var scratch = new byte[64];
                long n;
                while ((n = Interlocked.Increment(ref next)) < count && !deadline.Passed)
                {
                    Payload.PatchId(line, firstId + n);
                    try
                    {
                        using var socket = Sockets.Connect(endPoint, deadline);
                        Sockets.SendAll(socket, line);
                        Sockets.FinishAndAwaitClose(socket, scratch, deadline);
                    }
                    catch (SocketException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })
            { IsBackground = true, Name = "churn" };
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join(deadline.Remaining + TimeSpan.FromSeconds(15));
        }

        var unsent = Math.Max(0, count - Math.Min(Interlocked.Read(ref next), count));
        return Interlocked.Read(ref failed) + unsent;
    }
}
