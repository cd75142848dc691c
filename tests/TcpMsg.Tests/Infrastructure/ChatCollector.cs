using TcpMsg.Client;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A chat member through the library: reads <see cref="ChatClient.ReadAsync"/> in the background; tests wait on what arrived.</summary>
public sealed class ChatCollector : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<ChatEvent> _events = [];
    private readonly Task _reading;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChatCollector(ChatClient client)
    {
        Client = client;
        _reading = ReadAsync();
    }

    public ChatClient Client { get; }

    /// <summary>How reading ended: null while it goes on or when it ended cleanly.</summary>
    public Exception? Failure { get; private set; }

    public List<ChatEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public List<ChatMessage> Messages => [.. Events.OfType<ChatMessage>()];

    public List<ChatNotice> Notices => [.. Events.OfType<ChatNotice>()];

    public static async Task<ChatCollector> JoinAsync(int port, string? name = null, MessageClientOptions? options = null)
    {
        options = (options ?? MessageClientOptions.Default) with { Name = name ?? options?.Name };
        var client = await ChatClient.ConnectAsync("127.0.0.1", port, options).WithTimeout();
        return new ChatCollector(client);
    }

    public async Task<List<ChatEvent>> WaitUntilAsync(Func<List<ChatEvent>, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            Task changed;
            List<ChatEvent> snapshot;
            lock (_lock)
            {
                snapshot = [.. _events];
                changed = _changed.Task;
            }

            if (condition(snapshot))
            {
                return snapshot;
            }

            if (_reading.IsCompleted)
            {
                throw new InvalidOperationException($"reading ended ({Failure?.Message ?? "cleanly"}) before {what}; {snapshot.Count} events: {Describe(snapshot)}");
            }

            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}; {snapshot.Count} events: {Describe(snapshot)}");
            }
        }
    }

    public Task<List<ChatEvent>> WaitForMessagesAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(e => e.OfType<ChatMessage>().Count() >= count, $"{count} messages", timeout);

    public Task<List<ChatEvent>> WaitForNoticeAsync(Func<ChatNotice, bool> match, string what) =>
        WaitUntilAsync(e => e.OfType<ChatNotice>().Any(match), what);

    /// <summary>Waits until reading has ended (the connection is over).</summary>
    public Task Ended => _reading;

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _reading.WithTimeout();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var chatEvent in Client.ReadAsync())
            {
                TaskCompletionSource changed;
                lock (_lock)
                {
                    _events.Add(chatEvent);
                    changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                changed.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            Failure = ex;
        }
        finally
        {
            lock (_lock)
            {
                _changed.TrySetResult();
            }
        }
    }

    private static string Describe(List<ChatEvent> events) =>
        string.Join(" | ", events.TakeLast(12).Select(e => e switch
        {
            ChatMessage m => $"{m.Sender}> {(m.Text.Length > 20 ? m.Text[..20] + "…" : m.Text)}{(m.IsHistory ? " (history)" : "")}",
            ChatNotice n => $"{n.Kind} {n.Name} {n.NewName} {string.Join(",", n.Members)} {n.Count} {n.Reason}",
            _ => e.ToString(),
        }));
}
