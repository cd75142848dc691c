using System.Diagnostics;
using System.Globalization;
using System.Text;
using TcpMsg.Bench.Load;
using TcpMsg.Bench.Peers;
using TcpMsg.Client;

namespace TcpMsg.Bench.Scenarios;

/// <summary>
/// Confirmed mode: <c>senders</c> clients of the library (<see cref="MessageClient"/>, confirmed)
/// each send their share of the messages pipelined (a window of unacknowledged messages), then
/// wait for every acknowledgement. The clock stops when the last sender has all its acks: each of
/// those messages is in the store. The figure is acknowledged messages per second.
/// </summary>
internal sealed class ConfirmedScenario : Scenario
{
    private readonly int _messages;
    private readonly int _senders;
    private readonly int _size;

    public ConfirmedScenario(string name, int messages, int senders, int size)
    {
        Name = name;
        _messages = messages;
        _senders = senders;
        _size = size;
    }

    public override string Name { get; }

    public override string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{_senders} confirmed sender(s) (the library's MessageClient) sending {_messages:N0} messages of {_size} bytes in all, pipelined; until every ack");

    public override bool Supports(Peer peer) => peer is TcpMsgPeer { HasStore: true };

    public override async Task<ScenarioResult> RunAsync(ScenarioContext context)
    {
        var payload = new Payload(_size);
        var result = context.NewResult(this);
        var texts = Texts(payload, _messages);
        using var monitor = context.Peer.CreateMonitor();
        monitor.Start();
        using var cancel = new CancellationTokenSource(context.Deadline.Remaining);

        var cpuBefore = ProcessInfo.CpuSeconds(context.Peer.Pid);
        var start = Stopwatch.GetTimestamp();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, _senders).Select(s =>
                SendShareAsync(context, texts, _messages * s / _senders, _messages * (s + 1) / _senders, cancel.Token))).ConfigureAwait(false);
            result.Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            result.Metrics["cpu_us_per_message"] = (ProcessInfo.CpuSeconds(context.Peer.Pid) - cpuBefore) * 1e6 / _messages;
        }
        catch (Exception ex) when (ex is TcpMsgException or OperationCanceledException)
        {
            result.Error = $"confirmed sending failed: {ex.Message}";
        }

        // Acknowledged means stored; the printed lines (and disconnects) follow.
        await Task.Run(() => context.AwaitLines(monitor, context.ExpectedLines(_messages, _senders), result, "the messages' lines")).ConfigureAwait(false);
        result.Messages = _messages;
        result.WireBytes = (long)_messages * payload.LineSize;
        result.Verification = Verifier.Check(context.Peer, payload, _messages);
        return result;
    }

    /// <summary>The messages as strings, made before the clock starts (the client API takes text).</summary>
    internal static string[] Texts(Payload payload, int count)
    {
        var line = new byte[payload.LineSize];
        var texts = new string[count];
        for (var id = 0; id < count; id++)
        {
            payload.WriteLine(line, id);
            texts[id] = Encoding.UTF8.GetString(line, 0, payload.Size);
        }

        return texts;
    }

    private static async Task SendShareAsync(ScenarioContext context, string[] texts, int from, int to, CancellationToken cancellationToken)
    {
        var client = await MessageClient.ConnectAsync("127.0.0.1", context.Peer.Port, MessageClientOptions.Default, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            for (var id = from; id < to; id++)
            {
                await client.EnqueueAsync(texts[id], cancellationToken).ConfigureAwait(false);
            }

            await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
