using TcpMsg.Server;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Records every server event; tests wait on conditions over the record, never on the clock.</summary>
public sealed class CollectingSink : IServerEventSink
{
    private readonly Lock _lock = new();
    private readonly List<ServerEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, each batch waits for it before being recorded (to stall the dispatcher).</summary>
    public Func<CancellationToken, Task>? Gate { get; set; }

    public async ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate(cancellationToken).ConfigureAwait(false);
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            _events.AddRange(events);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public List<ServerEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public List<ReceivedMessage> Messages => [.. Events.OfType<ReceivedMessage>()];

    public List<string> Texts => [.. Messages.Select(m => m.Text)];

    public List<T> OfType<T>()
        where T : ServerEvent => [.. Events.OfType<T>()];

    /// <summary>Waits until <paramref name="condition"/> holds over the events recorded so far.</summary>
    public async Task<List<ServerEvent>> WaitUntilAsync(Func<List<ServerEvent>, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            Task changed;
            List<ServerEvent> snapshot;
            lock (_lock)
            {
                snapshot = [.. _events];
                changed = _changed.Task;
            }

            if (condition(snapshot))
            {
                return snapshot;
            }

            try
            {
                await changed.WaitAsync(cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Timed out waiting for {what ?? "a condition"}; {snapshot.Count} events so far: " +
                    string.Join(", ", snapshot.TakeLast(10).Select(Describe)));
            }
        }
    }

    public Task<List<ServerEvent>> WaitForMessagesAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(events => events.OfType<ReceivedMessage>().Count() >= count, timeout, $"{count} messages");

    public Task<List<ServerEvent>> WaitForDisconnectsAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(events => events.OfType<ClientDisconnected>().Count() >= count, timeout, $"{count} disconnects");

    private static string Describe(ServerEvent e) => e switch
    {
        ReceivedMessage m => $"message '{(m.Text.Length > 20 ? m.Text[..20] + "…" : m.Text)}'",
        ClientDisconnected d => $"disconnected ({d.Reason})",
        ConnectionError x => $"error {x.Code}",
        _ => e.Kind.ToString(),
    };
}
