using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using TcpMsg.Protocol;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A hand-driven confirmed-mode peer: the test chooses every frame, including wrong ones.</summary>
internal sealed class FrameClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private bool _welcomed;

    private FrameClient(Socket socket)
    {
        _socket = socket;
        _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
    }

    /// <summary>Connects and says HELLO with the chat capability and <paramref name="name"/>.</summary>
    public static Task<FrameClient> ConnectChatAsync(IPEndPoint server, string clientId, string? name = null) =>
        ConnectAsync(server, clientId, ProtocolCapabilities.Chat, name);

    public static async Task<FrameClient> ConnectAsync(IPEndPoint server, string? clientId = null, uint capabilities = 0, string? name = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WithTimeout();
        var client = new FrameClient(socket);
        if (clientId is not null)
        {
            await client.SendAsync(w =>
            {
                w.Write(ConfirmedPreamble.Bytes);
                new HelloFrame(1, clientId, capabilities, name).Write(w);
            });
        }

        return client;
    }

    public Task SendAsync(Action<IBufferWriter<byte>> write) => SendAsync(FrameHarness.Encode(write));

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).WithTimeout();
        }
    }

    public Task SendMessageAsync(long sequence, string text) => SendAsync(w => MessageFrame.Write(w, sequence, text));

    /// <summary>The next frame from the server, parsed; null when the server closed the connection.</summary>
    public async Task<FrameHarness.Decoded?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            var result = await _reader.ReadAsync(cancel.Token);

            // Before WELCOME a chat server may send room lines (docs/protocol.md, ChatPrelude).
            var start = _welcomed ? result.Buffer.Start : ChatPrelude.Skip(result.Buffer, out _);
            var buffer = result.Buffer.Slice(start);
            if (FrameReader.TryReadFrame(buffer, 1 << 24, out var type, out var payload, out var consumed))
            {
                var frame = new FrameHarness.Decoded(type, FrameHarness.Parse(type, payload));
                _reader.AdvanceTo(consumed);
                _welcomed = true;
                return frame;
            }

            _reader.AdvanceTo(start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads frames until <paramref name="done"/> says so; returns them all.</summary>
    public async Task<List<FrameHarness.Decoded>> ReadUntilAsync(Func<FrameHarness.Decoded, bool> done)
    {
        var frames = new List<FrameHarness.Decoded>();
        while (await ReadFrameAsync() is { } frame)
        {
            frames.Add(frame);
            if (done(frame))
            {
                break;
            }
        }

        return frames;
    }

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        _socket.Dispose();
    }
}
