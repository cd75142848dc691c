using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpMsg.Bench.Chat;

/// <summary>
/// The real <c>tcpmsg serve</c> (Release build) in its own process, so its memory and CPU are its
/// own. Its standard output is read and its message lines counted: that is how plain ingest is timed.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private long _messageLines;
    private long _joins;
    private long _slowDisconnects;

    private ServerProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public int Port { get; private set; }

    public int Pid => _process.Id;

    // Every client of the harness comes from 127.0.0.1: the per-address cap (100 by default) would
    // refuse the 101st, so it is off here; `--idle-timeout 0` keeps quiet members in the room.

    /// <summary>Message lines the server printed (<c>... sent a message>>>...</c>).</summary>
    public long MessageLines => Volatile.Read(ref _messageLines);

    /// <summary>Chat members the server announced (<c>... joined the chat as ...</c>).</summary>
    public long Joins => Volatile.Read(ref _joins);

    /// <summary>Members the server disconnected as too slow (its standard error says so).</summary>
    public long SlowDisconnects => Volatile.Read(ref _slowDisconnects);

    public static async Task<ServerProcess> StartAsync(IEnumerable<string> extraArgs, string durability)
    {
        var directory = Directory.CreateTempSubdirectory("tcpmsg-bench-chat-").FullName;
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in (string[])[CliDll, "serve", "--listen", "127.0.0.1", "--port", "0", "--lang", "en", "--durability", durability, "--idle-timeout", "0", "--max-connections-per-ip", "0", .. extraArgs])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start tcpmsg serve");
        var server = new ServerProcess(process, directory);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            else if (e.Data is { } other && Environment.GetEnvironmentVariable("BENCH_DEBUG") == "1")
            {
                Console.Error.WriteLine("server: " + other);
            }

            if (e.Data?.Contains("did not read the chat fast enough", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref server._slowDisconnects);
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains(" sent a message>>>", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref server._messageLines);
            }
            else if (e.Data?.Contains(" joined the chat as ", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref server._joins);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        server.Port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return server;
    }

    /// <summary>Resident memory now and at its peak, in MiB (VmRSS, VmHWM).</summary>
    public (double Now, double Peak) MemoryMib()
    {
        double now = -1, peak = -1;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                now = Kib(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kib(line) / 1024.0;
            }
        }

        return (now, peak);
    }

    /// <summary>CPU seconds the server has used, user and system (clock ticks of 10 ms).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static double Kib(string line) => double.Parse(line[(line.IndexOf(':') + 1)..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>The tcpmsg tool built with this harness (same configuration).</summary>
    private static string CliDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "tcpmsg.slnx")))
            {
                root = root.Parent;
            }

            var dll = Path.Combine(root?.FullName ?? ".", "src", "TcpMsg.Cli", "bin", output.Parent!.Name, output.Name, "TcpMsg.Cli.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first (dotnet build -c Release)", dll);
        }
    }

    [GeneratedRegex(@"listening on .*:(\d+);")]
    private static partial Regex Listening();
}
