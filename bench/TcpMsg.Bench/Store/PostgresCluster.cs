using System.Diagnostics;
using System.Globalization;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Store;

/// <summary>
/// The PostgreSQL the shared-store benchmark runs on: <c>initdb</c> into a folder of its own and
/// <c>postgres -k DIR -p PORT</c> on 127.0.0.1, as the <c>postgres</c> user when the benchmark runs as
/// root (PostgreSQL refuses root). Its settings are the package's defaults (fsync on), so that what
/// is measured is what an operator gets; trust authentication over loopback for the <c>tcpmsg</c> role.
/// </summary>
internal sealed class PostgresCluster : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgres;
    private readonly Process _process;

    private PostgresCluster(string bin, string directory, bool asPostgres, int port)
    {
        _bin = bin;
        _directory = directory;
        _asPostgres = asPostgres;
        Port = port;
        Run(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-U", "tcpmsg", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        var (postgres, prefix) = Command(Path.Combine(bin, "postgres"));
        _process = RunningPeer.Launch(
            postgres,
            [.. prefix, "-D", DataDirectory, "-k", directory, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1"],
            Path.Combine(directory, "postgres.out"),
            Path.Combine(directory, "postgres.err"));
        var deadline = Deadline.After(s_startTimeout);
        while (!ProcessInfo.IsListening(port))
        {
            if (_process.HasExited || deadline.Passed)
            {
                throw new InvalidOperationException("PostgreSQL did not start: " + File.ReadAllText(Path.Combine(directory, "postgres.err")));
            }

            Thread.Sleep(20);
        }
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Why the benchmark cannot run PostgreSQL here, or null when it can.</summary>
    public static string? Unavailable() =>
        FindBin() is null ? "PostgreSQL is not installed (apt-get install postgresql)" :
        Environment.UserName == "root" && Tools.Find("setpriv") is null ? "setpriv is missing (util-linux)" : null;

    public static PostgresCluster Start(string directory)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(Unavailable());
        Directory.CreateDirectory(directory);
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            Exec("chown", ["postgres:postgres", directory]);
        }

        return new PostgresCluster(bin, directory, asPostgres, ProcessInfo.FreePort());
    }

    /// <summary>A <c>--store</c> URL for a new, empty database <paramref name="name"/>.</summary>
    public string CreateDatabase(string name)
    {
        Run(Path.Combine(_bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "tcpmsg", name]);
        return string.Create(CultureInfo.InvariantCulture, $"postgresql://tcpmsg@127.0.0.1:{Port}/{name}");
    }

    /// <summary>CPU seconds used so far by the postmaster and every backend it runs.</summary>
    public double CpuSeconds()
    {
        var total = ProcessInfo.CpuSeconds(_process.Id);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) == _process.Id)
            {
                total += Math.Max(0, ProcessInfo.CpuSeconds(pid));
            }
        }

        return total;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, 2);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                Native.Kill(_process.Id, Native.SigKill);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private (string File, string[] Prefix) Command(string file) =>
        _asPostgres ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", file]) : (file, []);

    private void Run(string file, string[] arguments)
    {
        var (program, prefix) = Command(file);
        Exec(program, [.. prefix, .. arguments]);
    }

    private static void Exec(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} failed: {error.Result}{output.Result}");
        }
    }

    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : Tools.Find("initdb") is { } initdb ? Path.GetDirectoryName(initdb) : null;
}
