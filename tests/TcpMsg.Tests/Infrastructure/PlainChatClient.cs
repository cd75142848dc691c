using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A raw TCP chat member, as nc is one: sends lines, reads the room's lines.</summary>
public sealed class PlainChatClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly List<string> _lines = [];

    private PlainChatClient(Socket socket)
    {
        _socket = socket;
        _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
    }

    /// <summary>Every line read so far.</summary>
    public IReadOnlyList<string> Lines => _lines;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>This client's name until it changes it: its address.</summary>
    public string AddressName => $"127.0.0.1:{LocalEndPoint.Port}";

    public static async Task<PlainChatClient> ConnectAsync(IPEndPoint server, int? receiveBuffer = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is { } size)
        {
            // Before connecting, so the window the server sees is small from the start.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(server).WithTimeout();
        return new PlainChatClient(socket);
    }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).AsTask().WithTimeout();
        }
    }

    public Task SendLineAsync(string line) => SendAsync(line + "\n");

    /// <summary>The next line; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            var result = await _reader.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is { } lf)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, lf));
                _reader.AdvanceTo(buffer.GetPosition(1, lf));
                _lines.Add(line);
                return line;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads lines until one matches; returns it. Fails if the server closes first.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> match, string what)
    {
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new InvalidOperationException($"the server closed before {what}; lines: {string.Join(" | ", _lines)}");
            if (match(line))
            {
                return line;
            }
        }
    }

    public Task<string> ReadUntilAsync(string contains) =>
        ReadUntilAsync(l => l.Contains(contains, StringComparison.Ordinal), $"a line with '{contains}'");

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        _socket.Dispose();
    }
}
