using System.Globalization;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// Issue 6's stress test. A legitimate confirmed-mode client (127.0.0.1) sends at a fixed rate, each
/// message awaited (send -> ack, stored): first against the idle server (phase A), then (phase B)
/// while <c>stalled</c> connections from many addresses stall it (silent, slow-loris, a TLS
/// ClientHello's start on the plain port, the confirmed preamble without HELLO) and a flood from one
/// address sends as fast as the server reads. Reports both phases' p50/p99, the ratio of the p99s,
/// what the server refused and closed, and its memory; every legitimate message must be stored.
/// The server runs with the limits an operator would set on a public port (<see cref="Limits"/>).
/// </summary>
internal sealed partial class StressScenario : Scenario
{
    private const int Size = 100;

    // A refused flood connection tries again after this long: a flood from one address, not a busy loop.
    private static readonly TimeSpan s_floodRetry = TimeSpan.FromMilliseconds(50);

    private readonly int _messages;
    private readonly int _rate;
    private readonly int _stalled;
    private readonly int _addresses;
    private readonly int _floodConnections;

    public StressScenario(string name, int messages, int rate, int stalled, int addresses, int floodConnections, IReadOnlyList<string> limits)
    {
        Name = name;
        _messages = messages;
        _rate = rate;
        _stalled = stalled;
        _addresses = addresses;
        _floodConnections = floodConnections;
        Limits = limits;
    }

    public override string Name { get; }

    /// <summary>The options the server runs with in this scenario, in place of the benchmark's unlimited defaults.</summary>
    public IReadOnlyList<string> Limits { get; }

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"1 confirmed sender from 127.0.0.1, {_messages:N0} messages of {Size} bytes at {_rate:N0}/s, each awaited (send -> ack, stored), against the idle server (after the warm-up), then again while " +
        $"{_stalled:N0} stalled connections from {_addresses} addresses (127.0.1.x; a quarter each silent, slow-loris at 1 byte/s, a TLS ClientHello's start, the confirmed preamble without HELLO; reopened when the server closes them) " +
        $"and a flood from 127.0.0.9 ({_floodConnections} connections sending {Flood.LineSize}-byte lines as fast as the server reads; a closed one reconnects after {s_floodRetry.TotalMilliseconds:0} ms) hold the server");

    public override bool IsThroughput => false;

    // The attack needs the limits a tcpmsg server has, and "stored" needs its store; see NotApplicable for the others.
    public override bool Supports(Peer peer) => peer is TcpMsgPeer { HasStore: true };

    public override Peer Configure(Peer peer) => peer is TcpMsgPeer tcpmsg ? tcpmsg.Hardened(Limits) : peer;

    /// <summary>Why a peer does not run this scenario, for the report.</summary>
    public static string NotApplicable(Peer peer) => peer switch
    {
        RsyslogPeer => "no per-address connection cap, no rate limit that pauses rather than drops, no slow-loris timeout: the flood would be written to its file as fast as it can, which measures its write speed, not a defence",
        NcatPeer => "holds at most 1,024 connections (select), and no limits",
        BarePeer => "writes no messages, speaks no confirmed mode, has no limits",
        _ => "speaks no confirmed mode",
    };

    public override async Task<ScenarioResult> RunAsync(ScenarioContext context)
    {
        var payload = new Payload(Size);
        var result = context.NewResult(this);
        var run = new StressRun(context, payload);
        using var monitor = context.Peer.CreateMonitor(run.OnLine);
        monitor.Start();
        await RunPhasesAsync(context, run, result).ConfigureAwait(false);
        await Task.Run(() => run.AwaitLegitLines(result)).ConfigureAwait(false);
        Report(context, run, result);
        return result;
    }
}
