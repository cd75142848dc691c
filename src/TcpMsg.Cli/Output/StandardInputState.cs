namespace TcpMsg.Cli.Output;

/// <summary>
/// Whether the process was started with its standard input closed (<c>tcpmsg send HOST &lt;&amp;-</c>).
/// The runtime opens its own files and pipes at start-up, and the first takes the free descriptor 0:
/// reading "standard input" then reads the runtime's pipe, or /dev/urandom as random lines. Such a
/// descriptor has close-on-exec set; an inherited standard input never does (it survived the exec).
/// </summary>
internal static class StandardInputState
{
    // O_CLOEXEC in the octal "flags:" line of /proc/self/fdinfo (Linux, all architectures tcpmsg builds for).
    private const int CloseOnExec = 0x80000;

    private static readonly Lazy<bool> s_closedAtStart = new(Probe);

    /// <summary>True when descriptor 0 was not open when the process started.</summary>
    public static bool WasClosedAtStart => s_closedAtStart.Value;

    /// <summary>Reads an fdinfo file's text: true when its descriptor was opened by this process (close-on-exec).</summary>
    internal static bool IsOwnDescriptor(string fdinfo)
    {
        foreach (var line in fdinfo.Split('\n'))
        {
            if (line.StartsWith("flags:", StringComparison.Ordinal))
            {
                var octal = line["flags:".Length..].Trim();
                var flags = 0;
                foreach (var digit in octal)
                {
                    if (digit is < '0' or > '7')
                    {
                        return false;
                    }

                    flags = (flags * 8) + (digit - '0');
                }

                return (flags & CloseOnExec) != 0;
            }
        }

        return false;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        const string fdinfo = "/proc/self/fdinfo/0";
        try
        {
            return !File.Exists(fdinfo) || IsOwnDescriptor(File.ReadAllText(fdinfo));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc to ask (a sandbox): take standard input as given.
            return false;
        }
    }
}
