using System.Diagnostics.Metrics;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Publishes the server's counters as .NET metrics (meter <c>TcpMsg.Server</c>), read when a listener
/// asks (dotnet-counters, OpenTelemetry and its Prometheus endpoint): nothing is added to the hot
/// path, the counters behind them move once per batch. Names and units are chosen so that the
/// Prometheus exporter makes conventional names of them (docs/observability.md lists them).
/// </summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "TcpMsg.Server";

    private static readonly KeyValuePair<string, object?> s_plain = new("mode", "plain");
    private static readonly KeyValuePair<string, object?> s_confirmedMode = new("mode", "confirmed");

    public ServerMetrics(IMeterFactory meterFactory, ServerStatistics statistics, MessagePipeline pipeline, MessageCounts counts, ChatRoom? chat = null)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("tcpmsg.connections.open", () => statistics.ActiveConnections, "{connection}", "Connections open now");
        meter.CreateObservableCounter("tcpmsg.connections.accepted", () => statistics.ConnectionsAccepted, "{connection}", "Connections accepted");
        meter.CreateObservableCounter<long>(
            "tcpmsg.connections.refused",
            () => (Measurement<long>[])[Tagged(statistics.ConnectionsRefused, "reason", "limit"), Tagged(statistics.ConnectionsDenied, "reason", "denied")],
            "{connection}",
            "Connections refused: at a connection or rate limit (limit), by access rules or the PROXY header (denied)");
        meter.CreateObservableCounter<long>(
            "tcpmsg.messages.received",
            () => (Measurement<long>[])
            [
                new Measurement<long>(counts.Lines, new KeyValuePair<string, object?>("framing", "line"), s_plain),
                new Measurement<long>(counts.Whole, new KeyValuePair<string, object?>("framing", "whole"), s_plain),
                new Measurement<long>(counts.Confirmed, new KeyValuePair<string, object?>("framing", "confirmed"), s_confirmedMode),
            ],
            "{message}",
            "Messages received, stored (with a store) and handed on");
        meter.CreateObservableCounter("tcpmsg.messages.stored", () => statistics.MessagesStored, "{message}", "Messages committed to the store");
        meter.CreateObservableCounter("tcpmsg.messages.duplicates", () => statistics.DuplicateMessages, "{message}", "Confirmed messages received again and not stored twice");
        meter.CreateObservableCounter("tcpmsg.received", () => statistics.BytesReceived, "By", "Bytes received on all connections");
        meter.CreateObservableCounter("tcpmsg.acks.sent", () => statistics.AcksSent, "{ack}", "Acknowledgements sent to confirmed senders (one covers every message before it)");
        meter.CreateObservableCounter<long>(
            "tcpmsg.errors",
            () => (Measurement<long>[])
            [
                Tagged(statistics.InvalidUtf8Messages, "kind", "invalid_utf8"),
                Tagged(statistics.OversizedMessages, "kind", "oversized"),
                Tagged(statistics.IdleTimeouts, "kind", "idle_timeout"),
                Tagged(statistics.MessageTimeouts, "kind", "message_timeout"),
                Tagged(statistics.PeerResets, "kind", "peer_reset"),
                Tagged(statistics.TlsHandshakeFailures, "kind", "tls_handshake"),
                Tagged(statistics.SequenceGaps, "kind", "sequence_gap"),
                Tagged(statistics.StoreFailures, "kind", "store_commit"),
            ],
            "{error}",
            "Errors, by kind");
        meter.CreateObservableGauge("tcpmsg.store.backlog", () => pipeline.PendingBytes, "By", "Bytes received and not yet stored and handed on");
        meter.CreateObservableGauge("tcpmsg.store.failing", () => statistics.StoreFailing ? 1 : 0, "1", "1 while commits fail and messages are held back");
        meter.CreateObservableCounter("tcpmsg.reads.throttled", () => statistics.ThrottledReads, "{read}", "Times a connection's reading was paused by a rate limit");
        if (chat is null)
        {
            return;
        }

        meter.CreateObservableGauge("tcpmsg.chat.members", () => chat.Lag().Members, "{member}", "Chat: members in the room");
        meter.CreateObservableGauge("tcpmsg.chat.lag.max", () => chat.Lag().MaxLag, "{message}", "Chat: entries the furthest-behind member has yet to read");
        meter.CreateObservableCounter("tcpmsg.chat.deliveries", () => statistics.ChatDeliveries, "{message}", "Chat: messages and notices handed to members' connections");
        meter.CreateObservableCounter("tcpmsg.chat.dropped", () => statistics.ChatDropped, "{message}", "Chat: messages skipped for slow members (ChatOptions.DropForSlowMembers)");
        meter.CreateObservableCounter("tcpmsg.chat.slow_disconnects", () => statistics.SlowClientsDisconnected, "{connection}", "Chat: members disconnected for not reading fast enough");
        meter.CreateObservableGauge("tcpmsg.chat.queue.peak", () => statistics.ChatQueuePeakBytes, "By", "Chat: the most bytes the shared queue held");
    }

    private static Measurement<long> Tagged(long value, string key, string tag) => new(value, new KeyValuePair<string, object?>(key, tag));
}
