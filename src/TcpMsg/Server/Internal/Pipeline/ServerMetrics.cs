using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Publishes the server's counters as .NET metrics (meter <c>TcpMsg.Server</c>), read when a listener
/// asks (dotnet-counters, OpenTelemetry and its Prometheus endpoint): nothing is added to the hot
/// path, the counters behind them move once per batch. Names and units are chosen so that the
/// Prometheus exporter makes conventional names of them (docs/observability.md lists them).
/// </summary>
internal sealed class ServerMetrics : IHostedService
{
    public const string MeterName = "TcpMsg.Server";

    private static readonly KeyValuePair<string, object?> s_plain = new("mode", "plain");
    private static readonly KeyValuePair<string, object?> s_confirmedMode = new("mode", "confirmed");

    private readonly IMeterFactory _meterFactory;
    private readonly ServerStatistics _statistics;
    private readonly MessagePipeline _pipeline;
    private readonly MessageCounts _counts;
    private readonly ChatRoom? _chat;

    public ServerMetrics(IMeterFactory meterFactory, ServerStatistics statistics, MessagePipeline pipeline, MessageCounts counts, ChatRoom? chat = null)
    {
        _meterFactory = meterFactory;
        _statistics = statistics;
        _pipeline = pipeline;
        _counts = counts;
        _chat = chat;
    }

    /// <summary>The instruments are made when the host starts; from then on they read the counters whenever observed.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = _meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("tcpmsg.connections.open", () => _statistics.ActiveConnections, "{connection}", "Connections open now");
        meter.CreateObservableCounter("tcpmsg.connections.accepted", () => _statistics.ConnectionsAccepted, "{connection}", "Connections accepted");
        meter.CreateObservableCounter<long>(
            "tcpmsg.connections.refused",
            () => (Measurement<long>[])[Tagged(_statistics.ConnectionsRefused, "reason", "limit"), Tagged(_statistics.ConnectionsDenied, "reason", "denied")],
            "{connection}",
            "Connections refused: at a connection or rate limit (limit), by access rules or the PROXY header (denied)");
        meter.CreateObservableCounter<long>(
            "tcpmsg.messages.received",
            () => (Measurement<long>[])
            [
                new Measurement<long>(_counts.Lines, new KeyValuePair<string, object?>("framing", "line"), s_plain),
                new Measurement<long>(_counts.Whole, new KeyValuePair<string, object?>("framing", "whole"), s_plain),
                new Measurement<long>(_counts.Confirmed, new KeyValuePair<string, object?>("framing", "confirmed"), s_confirmedMode),
            ],
            "{message}",
            "Messages received, stored (with a store) and handed on");
        meter.CreateObservableCounter("tcpmsg.messages.stored", () => _statistics.MessagesStored, "{message}", "Messages committed to the store");
        meter.CreateObservableCounter("tcpmsg.messages.duplicates", () => _statistics.DuplicateMessages, "{message}", "Confirmed messages received again and not stored twice");
        meter.CreateObservableCounter("tcpmsg.received", () => _statistics.BytesReceived, "By", "Bytes received on all connections");
        meter.CreateObservableCounter("tcpmsg.acks.sent", () => _statistics.AcksSent, "{ack}", "Acknowledgements sent to confirmed senders (one covers every message before it)");
        meter.CreateObservableCounter<long>(
            "tcpmsg.errors",
            () => (Measurement<long>[])
            [
                Tagged(_statistics.InvalidUtf8Messages, "kind", "invalid_utf8"),
                Tagged(_statistics.OversizedMessages, "kind", "oversized"),
                Tagged(_statistics.IdleTimeouts, "kind", "idle_timeout"),
                Tagged(_statistics.MessageTimeouts, "kind", "message_timeout"),
                Tagged(_statistics.PeerResets, "kind", "peer_reset"),
                Tagged(_statistics.TlsHandshakeFailures, "kind", "tls_handshake"),
                Tagged(_statistics.SequenceGaps, "kind", "sequence_gap"),
                Tagged(_statistics.StoreFailures, "kind", "store_commit"),
            ],
            "{error}",
            "Errors, by kind");
        meter.CreateObservableGauge("tcpmsg.store.backlog", () => _pipeline.PendingBytes, "By", "Bytes received and not yet stored and handed on");
        meter.CreateObservableGauge("tcpmsg.store.failing", () => _statistics.StoreFailing ? 1 : 0, "1", "1 while commits fail and messages are held back");
        meter.CreateObservableCounter("tcpmsg.reads.throttled", () => _statistics.ThrottledReads, "{read}", "Times a connection's reading was paused by a rate limit");
        if (_chat is not { } chat)
        {
            return Task.CompletedTask;
        }

        meter.CreateObservableGauge("tcpmsg.chat.members", () => chat.Lag().Members, "{member}", "Chat: members in the room");
        meter.CreateObservableGauge("tcpmsg.chat.lag.max", () => chat.Lag().MaxLag, "{message}", "Chat: entries the furthest-behind member has yet to read");
        meter.CreateObservableCounter("tcpmsg.chat.deliveries", () => _statistics.ChatDeliveries, "{message}", "Chat: messages and notices handed to members' connections");
        meter.CreateObservableCounter("tcpmsg.chat.dropped", () => _statistics.ChatDropped, "{message}", "Chat: messages skipped for slow members (ChatOptions.DropForSlowMembers)");
        meter.CreateObservableCounter("tcpmsg.chat.slow_disconnects", () => _statistics.SlowClientsDisconnected, "{connection}", "Chat: members disconnected for not reading fast enough");
        meter.CreateObservableGauge("tcpmsg.chat.queue.peak", () => _statistics.ChatQueuePeakBytes, "By", "Chat: the most bytes the shared queue held");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;


    private static Measurement<long> Tagged(long value, string key, string tag) => new(value, new KeyValuePair<string, object?>(key, tag));
}
