using System.Runtime.InteropServices;

namespace TcpMsg.Cli.Hosting;

/// <summary>
/// Raises the process's soft open-files limit to its hard limit before <c>serve</c> starts, so each
/// connection can have its descriptor (a common soft limit is 1,024, against --max-connections
/// 10,000). The JIT-hosted runtime already does this at start; a NativeAOT binary does not. Linux
/// only; anything that fails leaves the limit as it was (the server then says how many connections
/// it has room for).
/// </summary>
internal static partial class OpenFilesLimit
{
    // RLIMIT_NOFILE on Linux (x64 and arm64 alike).
    private const int NoFile = 7;

    public static void RaiseToHard()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            if (GetLimit(NoFile, out var limit) == 0 && limit.Soft < limit.Hard)
            {
                limit.Soft = limit.Hard;
                _ = SetLimit(NoFile, in limit);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc or musl as expected: the limit stays.
        }
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out Limit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in Limit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Soft;
        public ulong Hard;
    }
}
