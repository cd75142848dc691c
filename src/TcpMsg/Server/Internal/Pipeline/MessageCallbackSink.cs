namespace TcpMsg.Server.Internal;

/// <summary>Adapts a per-message callback to <see cref="IServerEventSink"/>.</summary>
internal sealed class MessageCallbackSink : IServerEventSink
{
    private readonly Func<ReceivedMessage, CancellationToken, ValueTask> _onMessage;

    public MessageCallbackSink(Func<ReceivedMessage, CancellationToken, ValueTask> onMessage) => _onMessage = onMessage;

    public async ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is ReceivedMessage message)
            {
                await _onMessage(message, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
