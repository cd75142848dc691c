using System.Diagnostics;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// A size-limited tmpfs of its own (the tests run as root), so a test can fill the disk under a real
/// store. Without permission to mount, the test is skipped, unless TCPMSG_REQUIRE_TOOLS=1 (CI).
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    private readonly TempDirectory _parent = new();
    private bool _mounted;

    public SmallFileSystem(int megabytes)
    {
        Path = _parent.File("mnt");
        Directory.CreateDirectory(Path);
        var (ok, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", Path);
        if (!ok)
        {
            _parent.Dispose();
            if (Environment.GetEnvironmentVariable("TCPMSG_REQUIRE_TOOLS") == "1")
            {
                Assert.Fail($"cannot mount a {megabytes} MiB tmpfs (TCPMSG_REQUIRE_TOOLS=1): {error}");
            }

            Assert.Skip($"cannot mount a {megabytes} MiB tmpfs (root needed): {error}");
        }

        _mounted = true;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="name"/> until the file system is full; returns the bytes written.</summary>
    public long Fill(string name)
    {
        var chunk = new byte[256 * 1024];
        Random.Shared.NextBytes(chunk);
        long written = 0;
        using var filler = new FileStream(File(name), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);

        // Big chunks first, then small ones, so that really nothing is left.
        for (var size = chunk.Length; size >= 512; size /= 2)
        {
            while (TryWrite(filler, chunk.AsSpan(0, size)))
            {
                written += size;
            }
        }

        return written;
    }

    private static bool TryWrite(FileStream file, ReadOnlySpan<byte> bytes)
    {
        try
        {
            file.Write(bytes);
            file.Flush();
            return true;
        }
        catch (IOException)
        {
            // ENOSPC: no room for a chunk of this size.
            return false;
        }
    }

    /// <summary>Makes the whole file system read-only, as a full or failing disk remounted by the kernel would be.</summary>
    public void MakeReadOnly()
    {
        var (ok, error) = Run("mount", "-o", "remount,ro", Path);
        Assert.True(ok, $"cannot remount {Path} read-only: {error}");
    }

    public void Dispose()
    {
        if (_mounted)
        {
            // Lazy: a child process that still holds a file cannot keep the mount alive.
            Run("umount", "-l", Path);
            _mounted = false;
        }

        _parent.Dispose();
    }

    private static (bool Ok, string Error) Run(string tool, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true, UseShellExecute = false })!;
            var error = process.StandardError.ReadToEnd();
            return (process.WaitForExit(TestTimeouts.Default) && process.ExitCode == 0, error.Trim());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, ex.Message);
        }
    }
}
