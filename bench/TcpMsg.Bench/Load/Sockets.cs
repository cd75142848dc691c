using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>Blocking loopback sockets, bounded in time: every call has a timeout.</summary>
internal static class Sockets
{
    // IPPROTO_TCP, TCP_SYNCNT: give up connecting after 2 SYN retransmissions (about 7 s) when a backlog is full.
    private const int IpProtoTcp = 6;
    private const int TcpSynCount = 7;

    public static Socket Connect(IPEndPoint endPoint, Deadline deadline, bool noDelay = true)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = noDelay,
            SendTimeout = deadline.RemainingMilliseconds,
            ReceiveTimeout = deadline.RemainingMilliseconds,
        };
        try
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpSynCount, BitConverter.GetBytes(2));
            socket.Connect(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[socket.Send(bytes)..];
        }
    }

    /// <summary>The tutorial's ending: shut down sending (FIN), then read until the server closes.</summary>
    public static void FinishAndAwaitClose(Socket socket, Span<byte> scratch, Deadline deadline)
    {
        socket.Shutdown(SocketShutdown.Send);
        socket.ReceiveTimeout = deadline.RemainingMilliseconds;
        while (socket.Receive(scratch) > 0)
        {
        }
    }
}
