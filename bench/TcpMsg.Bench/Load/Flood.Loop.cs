using System.Diagnostics;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>One flood thread: connect what is due, poll, send where the kernel takes more, reopen what the server closed.</summary>
internal sealed partial class Flood
{
    private void Run(Slot[] slots)
    {
        var fds = new Native.PollFd[slots.Length];
        while (!_stopping && !_deadline.Passed)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i].Socket is null && now >= slots[i].RetryAt)
                {
                    Connect(slots[i]);
                }

                // The server never writes to these connections: readable means it closed (or reset) them.
                fds[i] = new Native.PollFd { Fd = slots[i].Socket is { } s ? (int)s.Handle : -1, Events = Native.PollIn | Native.PollOut };
            }

            Native.Poll(fds, PollMilliseconds);
            for (var i = 0; i < slots.Length; i++)
            {
                var events = fds[i].Revents;
                if (slots[i].Socket is null || events == 0)
                {
                    continue;
                }

                if ((events & (Native.PollIn | Native.PollHup | Native.PollErr)) != 0 || !Send(slots[i]))
                {
                    Closed(slots[i]);
                }
            }
        }
    }

    private void Connect(Slot slot)
    {
        // A small send buffer: a refused connection does not first push megabytes into the kernel.
        var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 32 * 1024 };
        try
        {
            Sockets.BindTo(socket, Source);
            socket.Connect(_server);
            socket.Blocking = false;
        }
        catch (SocketException)
        {
            socket.Dispose();
            Interlocked.Increment(ref _connectFailures);
            slot.RetryAt = Stopwatch.GetTimestamp() + _retryTicks;
            return;
        }

        slot.Socket = socket;
        slot.Offset = 0;
        Interlocked.Increment(ref _connected);
        Interlocked.Increment(ref _open);
    }

    /// <summary>Sends as much of the chunk as the kernel takes now; false when the connection is gone.</summary>
    private bool Send(Slot slot)
    {
        var sent = slot.Socket!.Send(_chunk, slot.Offset, _chunk.Length - slot.Offset, SocketFlags.None, out var error);
        if (error is SocketError.WouldBlock)
        {
            return true;
        }

        if (error is not SocketError.Success)
        {
            return false;
        }

        slot.Offset = (slot.Offset + sent) % _chunk.Length;
        return true;
    }

    private void Closed(Slot slot)
    {
        Sockets.Reset(slot.Socket!);
        slot.Socket = null;
        slot.RetryAt = Stopwatch.GetTimestamp() + _retryTicks;
        Interlocked.Decrement(ref _open);
        Interlocked.Increment(ref _closedByServer);
    }
}
