using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

/// <summary>
/// A raw chat member that reads as fast as it can (or stops when told): it keeps the number each
/// message line starts with (<c>[time] name&gt; 000042...</c>) and the notice lines, nothing else.
/// </summary>
public sealed class FastChatReader : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly List<int> _numbers = [];
    private readonly List<string> _notices = [];
    private readonly List<string> _transcript = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _resumed = NewGate(open: true);
    private Task _reading = Task.CompletedTask;
    private bool _closed;

    private FastChatReader(Socket socket) => _socket = socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public int Count
    {
        get
        {
            lock (_numbers)
            {
                return _numbers.Count;
            }
        }
    }

    /// <summary>The server closed the connection.</summary>
    public bool Closed => Volatile.Read(ref _closed);

    public static async Task<FastChatReader> ConnectAsync(IPEndPoint server, int? receiveBuffer = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is { } size)
        {
            // Set before connecting, so the window it offers is small from the start.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(server).WithTimeout();
        var reader = new FastChatReader(socket);
        reader._reading = Task.Run(reader.ReadAsync);
        return reader;
    }

    public List<int> Numbers()
    {
        lock (_numbers)
        {
            return [.. _numbers];
        }
    }

    public List<string> Notices()
    {
        lock (_numbers)
        {
            return [.. _notices];
        }
    }

    /// <summary>What it received, in order: a message as its number, a notice as its line.</summary>
    public List<string> Transcript()
    {
        lock (_numbers)
        {
            return [.. _transcript];
        }
    }

    /// <summary>Stops reading (after the read under way): the server's writes back up into the socket.</summary>
    public void Pause() => Interlocked.Exchange(ref _resumed, NewGate(open: false));

    public void Resume() => Volatile.Read(ref _resumed).TrySetResult();

    public Task WaitForAsync(int count, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => Count >= count || Closed, $"{count} messages (have {Count})", timeout ?? TestTimeouts.Extended);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Resume();
        _socket.Dispose();
        await _reading.WaitAsync(TestTimeouts.Default).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[256 * 1024];
        var partial = new List<byte>();
        try
        {
            while (true)
            {
                await Volatile.Read(ref _resumed).Task.WaitAsync(_stop.Token);
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    if (partial.Count > 0)
                    {
                        partial.AddRange(buffer.AsSpan(start, i - start));
                        OnLine(partial.ToArray());
                        partial.Clear();
                    }
                    else
                    {
                        OnLine(buffer.AsSpan(start, i - start));
                    }

                    start = i + 1;
                }

                partial.AddRange(buffer.AsSpan(start, read - start));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed, or the server reset the connection.
        }

        Volatile.Write(ref _closed, true);
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        lock (_numbers)
        {
            if (line.StartsWith("*** "u8))
            {
                _notices.Add(Encoding.UTF8.GetString(line));
                _transcript.Add(_notices[^1]);
                return;
            }

            var at = line.IndexOf("> "u8);
            if (at > 0 && int.TryParse(line.Slice(at + 2, 6), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                _numbers.Add(number);
                _transcript.Add(number.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.TrySetResult();
        }

        return gate;
    }
}
