using System.Globalization;
using TcpMsg.Bench.Load;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// One message per connection, <c>concurrency</c> connections at a time: connect, send, shut down
/// sending, wait for the server's close. The figure is connections (= messages) per second.
/// </summary>
internal sealed class ChurnScenario : Scenario
{
    private readonly long _connections;
    private readonly int _size;
    private readonly int _concurrency;

    public ChurnScenario(string name, long connections, int size, int concurrency)
    {
        Name = name;
        _connections = connections;
        _size = size;
        _concurrency = concurrency;
    }

    public override string Name { get; }

    public override bool HasWarmup => true;

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{_connections:N0} connections, {_concurrency} at a time, each: connect, one {_size}-byte message, FIN, wait for the server's close");

    // The load runs on threads with blocking sockets; the harness awaits it off its own thread.
    public override Task<ScenarioResult> RunAsync(ScenarioContext context) => Task.Run(() => Run(context));

    private ScenarioResult Run(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var endPoint = context.Peer.EndPoint;
        var perRound = Math.Min(_connections, Math.Max(_concurrency, Math.Min(500, _connections / 20)));
        using var monitor = context.Peer.CreateMonitor();
        monitor.Start();

        var warm = Phase.Warmup(context, monitor, result, perRound, (int)perRound, _connections, from => ConnectionChurn.Run(endPoint, payload, from, perRound, _concurrency, context.Deadline), out _);
        if (result.Error is null)
        {
            var total = warm + _connections;
            result.Seconds = Phase.Run(
                context,
                monitor,
                result,
                () => ConnectionChurn.Run(endPoint, payload, warm, _connections, _concurrency, context.Deadline),
                _connections,
                total,
                total,
                "the messages");
        }

        result.Messages = _connections;
        result.WireBytes = _connections * payload.LineSize;
        result.Verification = Verifier.Check(context.Peer, payload, warm + _connections);
        return result;
    }
}
