using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// One run of the stress scenario as the peer's output shows it: the legitimate client's lines and
/// the flood's, counted as the output monitor reads them (disconnect lines and the stalled
/// connections' partial bytes are neither).
/// </summary>
internal sealed class StressRun
{
    private static readonly TimeSpan s_stallLimit = TimeSpan.FromSeconds(10);
    private static readonly byte[] s_floodPrefix = "127.0.0.9 sent a message>>>"u8.ToArray();

    private readonly ScenarioContext _context;
    private readonly Peer _peer;
    private long _legitLines;
    private long _floodLines;

    public StressRun(ScenarioContext context, Payload payload)
    {
        _context = context;
        _peer = context.Peer.Peer;
        Payload = payload;
    }

    public Payload Payload { get; }

    /// <summary>Messages the legitimate client sent and had acknowledged: ids 0 to Sent - 1.</summary>
    public int Sent { get; set; }

    public long LegitLines => Interlocked.Read(ref _legitLines);

    public long FloodLines => Interlocked.Read(ref _floodLines);

    /// <summary>The output monitor's handler: one complete line at a time, on its thread.</summary>
    public void OnLine(ReadOnlySpan<byte> line, long timestamp)
    {
        if (line.StartsWith(s_floodPrefix))
        {
            Interlocked.Increment(ref _floodLines);
        }
        else if (_peer.Classify(line, out var message) == LineKind.Message && Payload.TryMatch(message, out _))
        {
            Interlocked.Increment(ref _legitLines);
        }
    }

    /// <summary>Waits until the output shows every acknowledged message, or records why not.</summary>
    public void AwaitLegitLines(ScenarioResult result)
    {
        var seen = LegitLines;
        var lastProgress = Deadline.After(s_stallLimit);
        while (LegitLines < Sent)
        {
            if (LegitLines != seen)
            {
                seen = LegitLines;
                lastProgress = Deadline.After(s_stallLimit);
            }

            if (_context.Peer.HasExited || _context.Deadline.Passed || lastProgress.Passed)
            {
                result.Error ??= $"the output shows {LegitLines} of the legitimate client's {Sent} acknowledged messages";
                return;
            }

            Thread.Sleep(10);
        }
    }
}
