using System.Globalization;

namespace TcpMsg.Server.Internal;

/// <summary>
/// How many connections the process's open-files limit leaves room for. Each connection holds a
/// descriptor; the runtime (loading an assembly), the store, the logs and certificate reloads need
/// some too, and a process that runs out of them fails in odd places (an assembly that cannot be
/// opened stays unloadable). So the server keeps <see cref="Reserve"/> descriptors beyond those open
/// at start, and accepts no more connections than the rest allow. Linux only (<c>/proc</c>);
/// elsewhere, or without a limit, there is no budget.
/// </summary>
internal sealed record DescriptorBudget(long SoftLimit, int OpenAtStart, int Connections)
{
    public const int Reserve = 64;

    /// <summary>This process's budget now, or null when there is no limit or no way to tell.</summary>
    public static DescriptorBudget? Current()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var soft = ParseSoftLimit(File.ReadAllText("/proc/self/limits"));
            return soft is { } limit ? For(limit, Directory.GetFileSystemEntries("/proc/self/fd").Length) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The budget for a soft limit and the descriptors already open; at least one connection.</summary>
    public static DescriptorBudget For(long softLimit, int openAtStart) =>
        new(softLimit, openAtStart, (int)Math.Clamp(softLimit - openAtStart - Reserve, 1, int.MaxValue));

    /// <summary>
    /// The soft limit from <c>/proc/self/limits</c>'s line
    /// <c>Max open files            1024                 524288               files</c>; null for "unlimited" or no such line.
    /// </summary>
    public static long? ParseSoftLimit(string limits)
    {
        const string Name = "Max open files";
        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith(Name, StringComparison.Ordinal))
            {
                continue;
            }

            var soft = line[Name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }

        return null;
    }
}
