namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// The HTTP endpoint's view of the pipeline's post-commit fan-out: it counts each batch's messages
/// for the rate plot and wakes the event streams, which then read the new rows from the store.
/// </summary>
internal sealed class LiveFeed : IServerEventSink
{
    public LiveFeed(TimeProvider time) => Rate = new MessageRate(time);

    public CommitSignal Committed { get; } = new();

    public MessageRate Rate { get; }

    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        var messages = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Kind == ServerEventKind.Message)
            {
                messages++;
            }
        }

        if (messages > 0)
        {
            Rate.Add(messages);
            Committed.Pulse();
        }

        return ValueTask.CompletedTask;
    }
}
