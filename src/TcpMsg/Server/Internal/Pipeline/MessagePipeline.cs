using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Carries events from every connection to one dispatcher, which stores each batch of messages in
/// one transaction, then hands the batch to the sinks in order and acknowledges confirmed senders.
/// Messages travel as <see cref="MessageBatch"/>es, one queue operation per socket read.
/// The queue is bounded by bytes: once <see cref="TcpMsgServerOptions.MaxPendingBytes"/> are waiting,
/// connections stop reading their sockets until the dispatcher catches up.
/// </summary>
internal sealed partial class MessagePipeline : IDisposable
{
    // Messages (or events) per dispatch: large enough to amortise a flush or a transaction, small
    // enough to keep latency low.
    private const int MaxBatchSize = 4096;

    private readonly Channel<PipelineItem> _channel = Channel.CreateUnbounded<PipelineItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly IServerEventSink[] _sinks;
    private readonly IMessageStore? _store;
    private readonly SenderSequences _senders;
    private readonly ServerStatistics _statistics;
    private readonly long _maxPendingBytes;
    private readonly ILogger _logger;
    // An event's share of the pending limit: its text, plus a rough object overhead, so that a
    // flood of connection events is bounded too.
    private const int EventOverhead = 64;

    private readonly MessageBatchPool _batches = new();
    private readonly CancellationTokenSource _abortDispatch = new();
    private readonly HashSet<IAckTarget> _acknowledged = new(ReferenceEqualityComparer.Instance);
    private TaskCompletionSource _room = NewRoomSignal();
    private long _pendingBytes;
    private Task _dispatcher = Task.CompletedTask;

    public MessagePipeline(
        IEnumerable<IServerEventSink> sinks,
        TcpMsgServerOptions options,
        ServerStatistics statistics,
        ILogger<MessagePipeline> logger,
        IMessageStore? store = null)
    {
        _sinks = [.. sinks];
        _store = store;
        _statistics = statistics;
        _maxPendingBytes = options.MaxPendingBytes;
        _logger = logger;
        _senders = new SenderSequences(store);
    }

    /// <summary>True when more bytes are waiting than allowed; the caller should <see cref="WaitForRoomAsync"/>.</summary>
    public bool IsFull => Volatile.Read(ref _pendingBytes) > _maxPendingBytes;

    /// <summary>Bytes (and event overhead) received and not yet dispatched.</summary>
    public long PendingBytes => Volatile.Read(ref _pendingBytes);

    /// <summary>True when messages are committed to a store before they count as received.</summary>
    public bool HasStore => _store is not null;

    public void Start()
    {
        _store?.Open();
        var token = _abortDispatch.Token;
        _dispatcher = Task.Run(() => DispatchAsync(token));
    }

    /// <summary>The highest sequence stored (or, without a store, dispatched) for a client id; for WELCOME.</summary>
    public long GetLastSequence(string clientId) => _senders.LastCommitted(clientId);

    /// <summary>The same, when it is known without a store query (the sender was seen since the start).</summary>
    public bool TryGetLastSequence(string clientId, out long last) => _senders.TryGetLastCommitted(clientId, out last);

    /// <summary>A batch for the messages of one read; published with <see cref="Publish(MessageBatch)"/>, returned by the dispatcher.</summary>
    public MessageBatch RentBatch(
        ConnectionInfo connection,
        DateTimeOffset timestamp,
        MessageFraming framing,
        string? clientId = null,
        IAckTarget? ackTarget = null,
        Chat.ChatMember? chatOrigin = null) =>
        _batches.Rent(connection, timestamp, framing, clientId, ackTarget, chatOrigin);

    /// <summary>Queues an event other than a message. Never blocks; it counts against the pending limit.</summary>
    public void Publish(ServerEvent serverEvent)
    {
        Interlocked.Add(ref _pendingBytes, EventOverhead);
        if (!_channel.Writer.TryWrite(new PipelineItem(serverEvent)))
        {
            LogLateEvent(serverEvent.Kind, serverEvent.Connection.Id);
        }
    }

    /// <summary>Queues a batch of messages in one operation; an empty one goes back to the pool. Its bytes count against the pending limit.</summary>
    public void Publish(MessageBatch batch)
    {
        if (batch.Count == 0)
        {
            _batches.Return(batch);
            return;
        }

        long cost = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            cost += batch[i].WireLength + EventOverhead;
        }

        batch.Cost = cost;
        Interlocked.Add(ref _pendingBytes, cost);
        if (!_channel.Writer.TryWrite(new PipelineItem(batch)))
        {
            LogLateEvent(ServerEventKind.Message, batch.Connection.Id);
        }
    }

    /// <summary>Waits until the pending bytes are back under the limit.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the signal before checking, so a release between the two cannot be missed.
            var room = Volatile.Read(ref _room);
            if (Volatile.Read(ref _pendingBytes) <= _maxPendingBytes)
            {
                return;
            }

            await room.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops taking events and waits until every queued one was dispatched, or the token fires.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        using var registration = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abortDispatch);
        await _dispatcher.ConfigureAwait(false);
    }

    // The store belongs to the service container, which disposes it.
    public void Dispose() => _abortDispatch.Dispose();

    private void Release(long bytes)
    {
        var after = Interlocked.Add(ref _pendingBytes, -bytes);
        if (after <= _maxPendingBytes && after + bytes > _maxPendingBytes)
        {
            Interlocked.Exchange(ref _room, NewRoomSignal()).TrySetResult();
        }
    }

    private static long Cost(PipelineItem item) => item.Messages?.Cost ?? EventOverhead;

    private static TaskCompletionSource NewRoomSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} event of connection {ConnectionId} arrived after the server stopped dispatching")]
    private partial void LogLateEvent(ServerEventKind kind, string connectionId);

    /// <summary>Lets go of the large buffers the batches keep for long messages (<see cref="Transport.MemoryTrimmer"/>).</summary>
    public void DropKeptLargeBuffers() => _batches.DropKeptLargeBuffers();
}
