using System.Runtime.InteropServices;

namespace TcpMsg.Bench.Load;

/// <summary>The few libc calls the harness needs that .NET does not offer: signals, inotify, poll.</summary>
internal static partial class Native
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const uint InModify = 0x00000002;
    public const short PollIn = 0x0001;
    public const short PollOut = 0x0004;
    public const short PollErr = 0x0008;
    public const short PollHup = 0x0010;
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>An inotify descriptor watching <paramref name="path"/> for writes; -1 when inotify is not available.</summary>
    public static int WatchWrites(string path)
    {
        var fd = InotifyInit1(InNonBlock | InCloExec);
        if (fd < 0)
        {
            return -1;
        }

        if (InotifyAddWatch(fd, path, InModify) < 0)
        {
            Close(fd);
            return -1;
        }

        return fd;
    }

    /// <summary>Polls every descriptor of <paramref name="fds"/> at once, waiting up to <paramref name="timeoutMs"/> (0: not at all); returns how many have events (in their Revents).</summary>
    public static unsafe int Poll(Span<PollFd> fds, int timeoutMs = 0)
    {
        fixed (PollFd* first = fds)
        {
            return Poll(first, (nuint)fds.Length, timeoutMs);
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for events on <paramref name="fd"/>, then discards them.</summary>
    public static unsafe void WaitAndDrain(int fd, int timeoutMs)
    {
        var pollFd = new PollFd { Fd = fd, Events = PollIn };
        if (Poll(&pollFd, 1, timeoutMs) <= 0)
        {
            return;
        }

        byte* buffer = stackalloc byte[4096];
        while (Read(fd, buffer, 4096) > 0)
        {
        }
    }
}
