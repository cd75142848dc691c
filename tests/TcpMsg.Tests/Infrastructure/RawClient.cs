using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A bare TCP client, the way the tutorial and netcat talk to a server.</summary>
public sealed class RawClient : IDisposable
{
    private RawClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>The error of the last <see cref="WaitForServerCloseAsync"/> that saw a reset.</summary>
    public SocketError? LastCloseError { get; private set; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    /// <summary>Connects to <paramref name="server"/>, from <paramref name="from"/> when given (any 127.x.y.z is local on Linux).</summary>
    public static async Task<RawClient> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(server).WithTimeout();
        return new RawClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await Socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).AsTask().WithTimeout(TestTimeouts.Extended);
        }
    }

    /// <summary>The tutorial's way: close without shutting down first.</summary>
    public void Close() => Socket.Close();

    /// <summary>Shut down the sending side (FIN) and wait for the server to close.</summary>
    public async Task<bool> ShutdownAndWaitForCloseAsync()
    {
        Socket.Shutdown(SocketShutdown.Send);
        return await WaitForServerCloseAsync();
    }

    /// <summary>Reads until the server closes (true) or resets (false); fails the test on timeout.</summary>
    public async Task<bool> WaitForServerCloseAsync(TimeSpan? timeout = null)
    {
        var buffer = new byte[4096];
        try
        {
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None).WithTimeout(timeout) > 0)
            {
            }

            return true;
        }
        catch (SocketException ex)
        {
            LastCloseError = ex.SocketErrorCode;
            return false;
        }
    }

    /// <summary>Abort with RST instead of FIN.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    public void Dispose() => Socket.Dispose();
}
