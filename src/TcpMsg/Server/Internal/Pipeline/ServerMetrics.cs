using System.Diagnostics.Metrics;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Publishes the server's counters as .NET metrics (meter <c>TcpMsg.Server</c>), read when a listener
/// asks (dotnet-counters, OpenTelemetry): nothing is added to the hot path.
/// </summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "TcpMsg.Server";

    public ServerMetrics(IMeterFactory meterFactory, ServerStatistics statistics, MessagePipeline pipeline)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("tcpmsg.connections.active", () => statistics.ActiveConnections, "{connection}", "Connections open now");
        meter.CreateObservableCounter("tcpmsg.connections.accepted", () => statistics.ConnectionsAccepted, "{connection}", "Connections accepted");
        meter.CreateObservableCounter("tcpmsg.connections.refused", () => statistics.ConnectionsRefused, "{connection}", "Connections refused at a limit");
        meter.CreateObservableCounter("tcpmsg.messages.received", () => statistics.MessagesReceived, "{message}", "Complete messages received and dispatched");
        meter.CreateObservableCounter("tcpmsg.messages.stored", () => statistics.MessagesStored, "{message}", "Messages committed to the store");
        meter.CreateObservableCounter("tcpmsg.messages.duplicates", () => statistics.DuplicateMessages, "{message}", "Confirmed messages received again and not stored twice");
        meter.CreateObservableCounter("tcpmsg.messages.invalid_utf8", () => statistics.InvalidUtf8Messages, "{message}", "Messages that were not valid UTF-8");
        meter.CreateObservableCounter("tcpmsg.messages.oversized", () => statistics.OversizedMessages, "{message}", "Messages over the size limit");
        meter.CreateObservableCounter("tcpmsg.bytes.received", () => statistics.BytesReceived, "By", "Bytes received");
        meter.CreateObservableCounter("tcpmsg.store.failures", () => statistics.StoreFailures, "{failure}", "Failed commits (each retried)");
        meter.CreateObservableGauge("tcpmsg.pipeline.pending", () => pipeline.PendingBytes, "By", "Bytes received and not yet stored and dispatched");
        meter.CreateObservableCounter("tcpmsg.chat.deliveries", () => statistics.ChatDeliveries, "{message}", "Chat: messages and notices handed to members' connections");
        meter.CreateObservableCounter("tcpmsg.chat.dropped", () => statistics.ChatDropped, "{message}", "Chat: messages skipped for slow members (--slow-client drop)");
        meter.CreateObservableCounter("tcpmsg.chat.slow_disconnects", () => statistics.SlowClientsDisconnected, "{connection}", "Chat: members disconnected for not reading fast enough");
        meter.CreateObservableGauge("tcpmsg.chat.queue.peak", () => statistics.ChatQueuePeakBytes, "By", "Chat: the most bytes the shared queue held");
    }
}
