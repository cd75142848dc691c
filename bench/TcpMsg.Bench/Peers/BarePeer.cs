using System.Diagnostics;
using System.Globalization;

namespace TcpMsg.Bench.Peers;

/// <summary>
/// The floor: bare_receiver.c, one epoll loop that only counts bytes, lines and a byte sum (see the
/// source for why C). The harness compiles it with cc on first use, next to itself.
/// </summary>
internal sealed class BarePeer : Peer
{
    private static readonly Lock s_buildLock = new();

    public override string Name => "bare";

    public override bool WritesMessages => false;

    public static string SourcePath => Path.Combine(AppContext.BaseDirectory, "Peers", "bare_receiver.c");

    public static string BinaryPath => Path.Combine(AppContext.BaseDirectory, "bare_receiver");

    public override string? Unavailable() =>
        !File.Exists(SourcePath) ? $"{SourcePath} is missing" :
        Tools.Find("cc") is null ? "cc is not installed (apt-get install gcc)" : null;

    public override string Describe(int port) => "bare_receiver 127.0.0.1 PORT COUNTERS (cc -O2)";

    public override RunningPeer Start(int port, string directory)
    {
        Build();
        var counters = Path.Combine(directory, "counters.bin");
        var error = Path.Combine(directory, "stderr.txt");
        var process = RunningPeer.Launch(
            BinaryPath,
            ["127.0.0.1", port.ToString(CultureInfo.InvariantCulture), counters],
            Path.Combine(directory, "stdout.txt"),
            error);
        return new RunningPeer(this, process, port, counters, error);
    }

    /// <summary>Compiles the receiver unless an up-to-date binary is there.</summary>
    public static void Build()
    {
        lock (s_buildLock)
        {
            if (File.Exists(BinaryPath) && File.GetLastWriteTimeUtc(BinaryPath) >= File.GetLastWriteTimeUtc(SourcePath))
            {
                return;
            }

            var temporary = BinaryPath + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            var info = new ProcessStartInfo(Tools.Find("cc") ?? "cc") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var arg in new[] { "-O2", "-ftree-vectorize", "-Wall", "-o", temporary, SourcePath })
            {
                info.ArgumentList.Add(arg);
            }

            using var compiler = Process.Start(info)!;
            var errors = compiler.StandardError.ReadToEnd();
            if (!compiler.WaitForExit(TimeSpan.FromMinutes(2)) || compiler.ExitCode != 0)
            {
                throw new InvalidOperationException($"cc failed to build {SourcePath}: {errors}");
            }

            File.Move(temporary, BinaryPath, overwrite: true);
        }
    }
}
