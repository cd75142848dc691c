using System.Globalization;

namespace TcpMsg.Bench.Peers;

/// <summary>
/// <c>tcpmsg serve</c>, plain mode, its standard output (one line per message) redirected to a file.
/// Runs either the framework-dependent build (<c>dotnet TcpMsg.Cli.dll</c>) or a native binary.
/// </summary>
internal sealed class TcpMsgPeer : Peer
{
    private static readonly byte[] s_messagePrefix = "127.0.0.1 sent a message>>>"u8.ToArray();
    private static readonly byte[] s_disconnectSuffix = " disconnected from the server..."u8.ToArray();

    private readonly string _name;
    private readonly string _program;
    private readonly IReadOnlyList<string> _prefixArgs;
    private readonly IReadOnlyList<string> _extraArgs;

    /// <param name="name">The row's name in the report.</param>
    /// <param name="program">The tcpmsg native binary, or a .dll to run with dotnet.</param>
    /// <param name="extraArgs">Options added to <c>serve</c>: <c>--no-store</c>, or the store's; <c>{dir}</c> is the run's directory.</param>
    /// <param name="scenarios">The scenarios this row runs; null for all.</param>
    public TcpMsgPeer(string name, string program, IReadOnlyList<string> extraArgs, IReadOnlySet<string>? scenarios = null)
    {
        Scenarios = scenarios;
        _name = name;
        var isDll = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        _program = isDll ? "dotnet" : program;
        _prefixArgs = isDll ? [program] : [];
        _extraArgs = extraArgs;
        ProgramPath = program;
    }

    public override string Name => _name;

    public string ProgramPath { get; }

    public override int LinesPerConnection => 1;

    public override IReadOnlySet<string>? Scenarios { get; }

    /// <summary>True when this row runs with the SQLite store (confirmed mode is measured against these).</summary>
    public bool HasStore => !_extraArgs.Contains("--no-store");

    public override string? Unavailable() =>
        File.Exists(ProgramPath) ? null : $"{ProgramPath} is not built";

    public override string Describe(int port) =>
        $"{(_program == "dotnet" ? "dotnet TcpMsg.Cli.dll" : "tcpmsg")} {string.Join(' ', Arguments(port, "DIR"))} > FILE";

    public override RunningPeer Start(int port, string directory)
    {
        var output = Path.Combine(directory, "output.txt");
        var error = Path.Combine(directory, "stderr.txt");
        File.WriteAllBytes(output, []);
        var process = RunningPeer.Launch(_program, [.. _prefixArgs, .. Arguments(port, directory)], output, error, workingDirectory: directory);
        return new RunningPeer(this, process, port, output, error);
    }

    public override LineKind Classify(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> message)
    {
        if (line.StartsWith(s_messagePrefix))
        {
            message = line[s_messagePrefix.Length..];
            return LineKind.Message;
        }

        message = default;
        return line.EndsWith(s_disconnectSuffix) ? LineKind.Other : LineKind.Unrecognized;
    }

    private IEnumerable<string> Arguments(int port, string directory) =>
    [
        "serve",
        "--listen", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
        "--lang", "en",

        // The idle scenario holds 10,000 connections, all from 127.0.0.1, and then serves one more.
        "--max-connections", "20000",
        "--max-connections-per-ip", "0",
        .. _extraArgs.Select(arg => arg.Replace("{dir}", directory, StringComparison.Ordinal)),
    ];
}
