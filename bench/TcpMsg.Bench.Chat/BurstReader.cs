using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Bench.Chat;

/// <summary>
/// A raw chat member reading as fast as it can: counts the flood's lines, checks they come in
/// order (each text starts with its number), and notes when the first and the last arrived.
/// </summary>
internal sealed class BurstReader : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly int _expected;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next = 1;

    private BurstReader(Socket socket, int expected)
    {
        _socket = socket;
        _expected = expected;
    }

    /// <summary>Completes once every line arrived in order; fails on a gap, a duplicate, or a close.</summary>
    public Task Done => _done.Task;

    public int Received => Volatile.Read(ref _next) - 1;

    /// <summary>The server closed its connection before it had every line.</summary>
    public bool Disconnected { get; private set; }

    /// <summary>Stopwatch timestamps of the first and the last of the flood's lines.</summary>
    public long First { get; private set; }

    public long Last { get; private set; }

    public static async Task<BurstReader> ConnectAsync(int port, int expected, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
        var reader = new BurstReader(socket, expected);
        _ = Task.Run(() => reader.ReadAsync(cancellationToken), cancellationToken);
        return reader;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        var carry = 0;
        try
        {
            while (Received < _expected)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    Disconnected = true;
                    throw new InvalidOperationException($"a member was disconnected after {Received} of {_expected} lines");
                }

                var data = buffer.AsSpan(0, carry + read);
                int end;
                while ((end = data.IndexOf((byte)'\n')) >= 0)
                {
                    OnLine(data[..end]);
                    data = data[(end + 1)..];
                }

                // The rest of a line comes with the next read.
                data.CopyTo(buffer);
                carry = data.Length;
            }

            _done.TrySetResult();
        }
        catch (Exception ex)
        {
            Disconnected |= ex is SocketException;
            _done.TrySetException(ex);
        }
    }

    /// <summary>"[HH:MM:SS] name> NNNNNN....": a line of the flood; "*** ..." notices are not.</summary>
    private void OnLine(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf("> "u8);
        if (line.IsEmpty || line[0] != (byte)'[' || at < 0 || line.Length < at + 8)
        {
            return;
        }

        var number = 0;
        foreach (var digit in line.Slice(at + 2, 6))
        {
            number = (number * 10) + (digit - '0');
        }

        if (number != _next)
        {
            throw new InvalidOperationException($"line {number} arrived where {_next} was due: {(number < _next ? "a duplicate" : "a gap")}");
        }

        var now = Stopwatch.GetTimestamp();
        if (_next == 1)
        {
            First = now;
        }

        Last = now;
        Volatile.Write(ref _next, _next + 1);
    }
}
