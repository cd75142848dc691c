namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// The HTTP endpoint's view of the pipeline's post-commit fan-out: it counts each batch's messages
/// for the rate plot and wakes the event streams, which then read the new rows from the store.
/// </summary>
internal sealed class LiveFeed : IServerEventSink
{
    public LiveFeed(TimeProvider time) => Rate = new MessageRate(time);

    public CommitSignal Commits { get; } = new();

    public MessageRate Rate { get; }

    // Read in place: the stream reads the rows from the store, so nothing is made here.
    public ValueTask OnBatchAsync(ServerEventBatch batch, CancellationToken cancellationToken)
    {
        var messages = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsMessage(i))
            {
                messages++;
            }
        }

        Committed(messages);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        Committed(events.Count(e => e.Kind == ServerEventKind.Message));
        return ValueTask.CompletedTask;
    }

    private void Committed(int messages)
    {
        if (messages > 0)
        {
            Rate.Add(messages);
            Commits.Pulse();
        }
    }
}
