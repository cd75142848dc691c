namespace TcpMsg.Server;

/// <summary>
/// Receives the server's events: connections, messages (after they were stored), disconnects, errors.
/// Register implementations in the service collection; the server calls each one in turn, batch by batch,
/// from a single dispatcher, in the order the events happened.
/// </summary>
/// <remarks>
/// A sink that takes long slows every connection (backpressure reaches the sockets); one that throws
/// is logged and the server goes on. Do not keep the list: it is reused for the next batch.
/// </remarks>
public interface IServerEventSink
{
    /// <summary>Handles a batch of events.</summary>
    ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Handles a batch of events as the server dispatches it. The server calls this method; by default
    /// it makes the batch's event objects (a string per message) and passes them to
    /// <see cref="OnEventsAsync"/>. A sink that reads message text as UTF-8 implements it to read
    /// <see cref="ServerEventBatch.GetMessage"/> in place, and no object or string is made for it.
    /// </summary>
    ValueTask OnBatchAsync(ServerEventBatch batch, CancellationToken cancellationToken) => OnEventsAsync(batch.Events, cancellationToken);
}
