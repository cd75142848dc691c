using System.Diagnostics;
using System.Globalization;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Peers;

/// <summary>A started peer process: where it listens, where its output goes, and how to stop it.</summary>
internal sealed class RunningPeer : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);

    // Peers still running, so that a harness stopped by Ctrl+C or SIGTERM does not leave them behind.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<RunningPeer, byte> s_live = new();

    private readonly Process _process;

    /// <summary>Kills every peer still running (the harness is being stopped).</summary>
    public static void KillAll()
    {
        foreach (var peer in s_live.Keys)
        {
            Native.Kill(peer.Pid, Native.SigKill);
        }
    }

    public RunningPeer(Peer peer, Process process, int port, string outputPath, string errorPath, int? pid = null)
    {
        Peer = peer;
        _process = process;
        Port = port;
        OutputPath = outputPath;
        ErrorPath = errorPath;
        Pid = pid ?? process.Id;
        s_live.TryAdd(this, 0);
    }

    public Peer Peer { get; }

    public int Port { get; }

    /// <summary>The receiving process (for RSS): the peer itself, not a wrapper.</summary>
    public int Pid { get; }

    /// <summary>The file the peer writes messages to (for the bare receiver: its counter file).</summary>
    public string OutputPath { get; }

    public string ErrorPath { get; }

    public bool HasExited => _process.HasExited;

    public System.Net.IPEndPoint EndPoint => new(System.Net.IPAddress.Loopback, Port);

    /// <summary>Starts <paramref name="fileName"/> with stdin from /dev/null and stdout, stderr to files; exec keeps the pid.</summary>
    public static Process Launch(string fileName, IEnumerable<string> args, string stdoutPath, string stderrPath, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory ?? string.Empty };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null >\"$BENCH_STDOUT\" 2>\"$BENCH_STDERR\"");
        info.ArgumentList.Add(fileName);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["BENCH_STDOUT"] = stdoutPath;
        info.Environment["BENCH_STDERR"] = stderrPath;
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment.Remove("LC_ALL");

        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
    }

    /// <summary>Waits until the peer listens; throws with its stderr when it exits or takes too long.</summary>
    public void WaitUntilListening()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_startTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!ProcessInfo.IsListening(Port))
        {
            if (_process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                var state = _process.HasExited
                    ? string.Create(CultureInfo.InvariantCulture, $"exited with {_process.ExitCode}")
                    : "did not listen in time";
                throw new InvalidOperationException($"{Peer.Name} {state} on port {Port}: {ReadError()}");
            }

            Thread.Sleep(5);
        }
    }

    public OutputMonitor CreateMonitor(FileOutputMonitor.LineHandler? onLine = null) =>
        Peer.WritesMessages ? new FileOutputMonitor(OutputPath, onLine) : new BareOutputMonitor(OutputPath);

    public string ReadError()
    {
        try
        {
            var text = File.ReadAllText(ErrorPath).Trim();
            return text.Length > 2000 ? text[..2000] : text;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the peer has not exited within the stop timeout.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Native.Kill(Pid, Native.SigTerm);
            if (!_process.WaitForExit(s_stopTimeout))
            {
                Native.Kill(Pid, Native.SigKill);
                _process.WaitForExit(s_stopTimeout);
            }
        }

        s_live.TryRemove(this, out _);
        _process.Dispose();
    }
}
