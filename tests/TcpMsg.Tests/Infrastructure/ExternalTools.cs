using System.Globalization;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// The real peers tcpmsg must work with (nc, python3 for the tutorial's scripts). A developer without
/// them sees these tests skipped; CI installs them and sets TCPMSG_REQUIRE_TOOLS=1, so there a missing
/// tool is a failure.
/// </summary>
public static class ExternalTools
{
    public static string Require(string name)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }

        if (Environment.GetEnvironmentVariable("TCPMSG_REQUIRE_TOOLS") == "1")
        {
            Assert.Fail($"{name} is required (TCPMSG_REQUIRE_TOOLS=1) but not on PATH");
        }

        Assert.Skip($"{name} is not installed");
        return name;
    }

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>True when TCP port <paramref name="port"/> on 127.0.0.1 is in LISTEN state (read from /proc, no connection made).</summary>
    public static bool IsListening(int port)
    {
        var needle = $"0100007F:{port:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1).Any(line =>
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 3 && fields[1] == needle && fields[3] == "0A";
        });
    }

    public static Task WaitUntilListeningAsync(int port) =>
        Eventually.UntilAsync(() => IsListening(port), string.Create(CultureInfo.InvariantCulture, $"port {port} to listen"));

    /// <summary>True when this process inherited SIGINT as ignored (as background jobs of a shell do).</summary>
    public static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;
    }
}
