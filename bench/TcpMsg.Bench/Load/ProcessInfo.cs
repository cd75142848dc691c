using System.Globalization;

namespace TcpMsg.Bench.Load;

/// <summary>What /proc says about a peer process: resident memory and open descriptors.</summary>
internal static class ProcessInfo
{
    /// <summary>Resident set size in KiB (VmRSS), or -1 when the process is gone.</summary>
    public static long RssKib(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>
    /// CPU time the process has used, user and system, all threads (from /proc/PID/stat, in clock
    /// ticks of 10 ms); -1 when it is gone. Unlike wall time, barely moved by other load on the machine.
    /// </summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // Fields after the command name (which may hold spaces) start at field 3.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>How many descriptors the process has open (sockets included).</summary>
    public static int OpenDescriptors(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>True when TCP <paramref name="port"/> on 127.0.0.1 is listening (read from /proc, no connection made).</summary>
    public static bool IsListening(int port)
    {
        var needle = string.Create(CultureInfo.InvariantCulture, $"0100007F:{port:X4}");
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && fields[1] == needle && fields[3] == "0A")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
