using System.Diagnostics;
using System.Net.Sockets;

namespace TcpMsg.Bench.Load;

/// <summary>The keeper thread: one poll over every stalled connection per pass.</summary>
internal sealed partial class StalledConnections
{
    private void Keep()
    {
        var fds = new Native.PollFd[_slots.Length];
        while (!_stopping && !_deadline.Passed)
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                // poll() skips negative descriptors: a slot whose reopening failed waits for the next pass.
                fds[i] = new Native.PollFd { Fd = _slots[i].Socket is { } s ? (int)s.Handle : -1, Events = Native.PollIn };
            }

            Native.Poll(fds);
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < _slots.Length && !_stopping; i++)
            {
                var slot = _slots[i];

                // The server never writes to these connections: readable means it closed (or reset) them.
                if (slot.Socket is not null && (fds[i].Revents & (Native.PollIn | Native.PollHup | Native.PollErr)) != 0)
                {
                    ClosedByServer(slot, now);
                }
                else if (slot.Socket is not null && slot.Kind == StallKind.Dribble && now >= slot.NextByteAt && !Dribble(slot))
                {
                    ClosedByServer(slot, now);
                }

                if (slot.Socket is null)
                {
                    TryOpen(slot);
                }
            }

            var open = Open;
            if (open < Volatile.Read(ref _minOpen))
            {
                Volatile.Write(ref _minOpen, open);
            }

            Thread.Sleep(s_pass);
        }
    }

    /// <summary>Sends the slow-loris's next byte; false when the connection turns out closed.</summary>
    private static bool Dribble(Slot slot)
    {
        try
        {
            slot.Socket!.Send(s_dribble.AsSpan(slot.Dribbled % s_dribble.Length, 1));
            slot.Dribbled++;
            slot.NextByteAt += Stopwatch.Frequency;
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void ClosedByServer(Slot slot, long now)
    {
        var tally = _tallies[(int)slot.Kind];
        lock (tally)
        {
            tally.Closed++;
            tally.HeldSeconds.Add((now - slot.OpenedAt) / (double)Stopwatch.Frequency);
        }

        Sockets.Reset(slot.Socket!);
        slot.Socket = null;
        Interlocked.Decrement(ref _open);
    }
}
