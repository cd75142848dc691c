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
    private static readonly byte[] s_messageSeparator = " sent a message>>>"u8.ToArray();

    // The benchmark's own defaults: the idle scenario holds 10,000 connections, all from 127.0.0.1,
    // and then serves one more.
    private static readonly string[] s_benchLimits = ["--max-connections", "20000", "--max-connections-per-ip", "0"];

    private readonly string _name;
    private readonly string _program;
    private readonly IReadOnlyList<string> _prefixArgs;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly IReadOnlyList<string> _limits = s_benchLimits;
    private readonly bool _othersAreNoise;

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

    private TcpMsgPeer(TcpMsgPeer peer, IReadOnlyList<string> limits)
        : this(peer._name, peer.ProgramPath, peer._extraArgs, peer.Scenarios)
    {
        _limits = limits;
        _othersAreNoise = true;
    }

    public override string Name => _name;

    public string ProgramPath { get; }

    public override int LinesPerConnection => 1;

    public override IReadOnlySet<string>? Scenarios { get; }

    /// <summary>True when this row runs with the SQLite store (confirmed mode is measured against these).</summary>
    public bool HasStore => !_extraArgs.Contains("--no-store");

    /// <summary>
    /// This peer with <paramref name="limits"/> (the options a careful operator sets on a public port)
    /// in place of the benchmark's unlimited defaults, for a run under attack: messages from other
    /// addresses than 127.0.0.1 (the attackers') are then not the run's, and not checked.
    /// </summary>
    public TcpMsgPeer Hardened(IReadOnlyList<string> limits) => new(this, limits);

    /// <summary>The SQLite file of a run in <paramref name="directory"/>, or null without the store.</summary>
    public string? StorePath(string directory)
    {
        var at = _extraArgs.ToList().IndexOf("--store");
        return at < 0 || at + 1 >= _extraArgs.Count ? null : _extraArgs[at + 1].Replace("{dir}", directory, StringComparison.Ordinal);
    }

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
        if (_othersAreNoise && line.IndexOf(s_messageSeparator) is > 0 and var separator && !line[..separator].Contains((byte)' '))
        {
            // Another sender's message (an attacker's, in the stress scenario).
            return LineKind.Other;
        }

        return line.EndsWith(s_disconnectSuffix) ? LineKind.Other : LineKind.Unrecognized;
    }

    private IEnumerable<string> Arguments(int port, string directory) =>
    [
        "serve",
        "--listen", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
        "--lang", "en",
        .. _limits,
        .. _extraArgs.Select(arg => arg.Replace("{dir}", directory, StringComparison.Ordinal)),
    ];
}
