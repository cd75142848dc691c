using System.Diagnostics;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A real child process (the built tcpmsg, nc, python3) with its output captured line by line.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _lock = new();

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Out
    {
        get
        {
            lock (_lock)
            {
                return _out.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_lock)
            {
                return _error.ToString();
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A neutral culture unless the test asks for one.
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment.Remove("LC_ALL");
        info.Environment.Remove("LC_MESSAGES");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(child._out, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(stdin);
            process.StandardInput.BaseStream.Write(bytes);
            process.StandardInput.Close();
        }

        return child;
    }

    /// <summary>Writes to the process's standard input (left open when no stdin was given at start).</summary>
    public async Task WriteInputAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _process.StandardInput.BaseStream.WriteAsync(bytes).AsTask().WithTimeout();
        await _process.StandardInput.BaseStream.FlushAsync().WithTimeout();
    }

    /// <summary>Closes the process's standard input: it reads the end of its input.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the built tcpmsg tool.</summary>
    public static ChildProcess StartTcpMsg(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null) =>
        Start(DotnetHost, [CliBuild.DllPath, .. args], environment, stdin);

    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public Task WaitForOutputAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => condition(Out), what + $" (stdout so far: {Out}; stderr: {Error})", timeout);

    public Task WaitForErrorAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => condition(Error), what + $" (stderr so far: {Error})", timeout);

    /// <summary>Waits for the process to exit and for its output to be read completely.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends a signal with kill(1), as an operator would.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!kill.WaitForExit(TestTimeouts.Default) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
        }
    }

    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            target.Append(line).Append('\n');
        }
    }
}
