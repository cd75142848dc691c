namespace TcpMsg.Server.Internal;

/// <summary>
/// Counts the messages the pipeline fanned out after each commit, by framing, once per batch: the
/// source of <c>tcpmsg_messages_received_total{framing,mode}</c>. Duplicates are not fanned out, so
/// they are not counted here (they have their own counter).
/// </summary>
internal sealed class MessageCounts : IServerEventSink
{
    private long _lines;
    private long _whole;
    private long _confirmed;

    public long Lines => Volatile.Read(ref _lines);

    public long Whole => Volatile.Read(ref _whole);

    public long Confirmed => Volatile.Read(ref _confirmed);

    // Read in place: no event object or string is made for counting.
    public ValueTask OnBatchAsync(ServerEventBatch batch, CancellationToken cancellationToken)
    {
        long lines = 0, whole = 0, confirmed = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsMessage(i))
            {
                Count(batch.GetMessage(i).Framing, ref lines, ref whole, ref confirmed);
            }
        }

        Publish(lines, whole, confirmed);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        long lines = 0, whole = 0, confirmed = 0;
        foreach (var serverEvent in events)
        {
            if (serverEvent is ReceivedMessage message)
            {
                Count(message.Framing, ref lines, ref whole, ref confirmed);
            }
        }

        Publish(lines, whole, confirmed);
        return ValueTask.CompletedTask;
    }

    private static void Count(MessageFraming framing, ref long lines, ref long whole, ref long confirmed)
    {
        switch (framing)
        {
            case MessageFraming.Line:
                lines++;
                break;
            case MessageFraming.Whole:
                whole++;
                break;
            default:
                confirmed++;
                break;
        }
    }

    private void Publish(long lines, long whole, long confirmed)
    {
        Add(ref _lines, lines);
        Add(ref _whole, whole);
        Add(ref _confirmed, confirmed);
    }

    private static void Add(ref long counter, long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref counter, count);
        }
    }
}
