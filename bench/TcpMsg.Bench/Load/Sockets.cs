using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>Blocking loopback sockets, bounded in time: every call has a timeout.</summary>
internal static class Sockets
{
    // IPPROTO_TCP, TCP_SYNCNT: give up connecting after 2 SYN retransmissions (about 7 s) when a backlog is full.
    private const int IpProtoTcp = 6;
    private const int TcpSynCount = 7;

    // SOL_IP, IP_BIND_ADDRESS_NO_PORT: a socket bound to a source address gets its port at connect,
    // chosen for the whole 4-tuple, so thousands of connections from one address do not run out of ports.
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    /// <summary>Connects to <paramref name="endPoint"/>, from <paramref name="from"/> when given (loopback has all of 127.0.0.0/8).</summary>
    public static Socket Connect(IPEndPoint endPoint, Deadline deadline, bool noDelay = true, IPAddress? from = null)
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
            BindTo(socket, from);
            socket.Connect(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Binds <paramref name="socket"/> to the source address <paramref name="from"/>, its port left to connect; nothing when null.</summary>
    public static void BindTo(Socket socket, IPAddress? from)
    {
        if (from is not null)
        {
            socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(from, 0));
        }
    }

    /// <summary>Closes with a reset (SO_LINGER 0): no FIN, so bytes of an unfinished message are not a last message, and no TIME_WAIT.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the peer: disposing is all that is left.
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        socket.Dispose();
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
