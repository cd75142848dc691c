using System.Globalization;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>Persistent connections writing lines as fast as the peer takes them; the figure is messages per second.</summary>
internal sealed class StreamScenario : Scenario
{
    private readonly long _messages;
    private readonly int _connections;
    private readonly int _size;

    public StreamScenario(string name, long messages, int connections, int size)
    {
        Name = name;
        _messages = messages;
        _connections = connections;
        _size = size;
    }

    public override string Name { get; }

    public override bool HasWarmup => true;

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{_connections} persistent connection(s) sending {_messages:N0} lines of {_size + 1} bytes (LF included) as fast as they are taken");

    // The load runs on threads with blocking sockets; the harness awaits it off its own thread.
    public override Task<ScenarioResult> RunAsync(ScenarioContext context) => Task.Run(() => Run(context));

    private ScenarioResult Run(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var endPoint = context.Peer.EndPoint;
        var perRound = Math.Min(_messages, Math.Max(_connections, Math.Min(20_000, _messages / 20)));
        using var monitor = context.Peer.CreateMonitor();
        monitor.Start();

        var warm = Phase.Warmup(context, monitor, result, perRound, _connections, _messages, from => StreamSender.Run(endPoint, payload, from, perRound, _connections, context.Deadline), out var warmConnections);
        if (result.Error is null)
        {
            result.Seconds = Phase.Run(
                context,
                monitor,
                result,
                () => StreamSender.Run(endPoint, payload, warm, _messages, _connections, context.Deadline),
                _messages,
                warm + _messages,
                warmConnections + _connections,
                "the messages");
        }

        result.Messages = _messages;
        result.WireBytes = _messages * payload.LineSize;
        result.Verification = Verifier.Check(context.Peer, payload, warm + _messages);
        return result;
    }
}
