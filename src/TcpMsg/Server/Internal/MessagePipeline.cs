using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Carries events from every connection to one dispatcher, which hands them to the sinks in order,
/// batch by batch. The queue is bounded by bytes: once <see cref="TcpMsgServerOptions.MaxPendingBytes"/>
/// are waiting, connections stop reading their sockets until the dispatcher catches up.
/// </summary>
internal sealed partial class MessagePipeline : IDisposable
{
    // Large enough to amortise a flush or a transaction, small enough to keep latency low.
    private const int MaxBatchSize = 4096;

    private readonly Channel<ServerEvent> _channel = Channel.CreateUnbounded<ServerEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly IServerEventSink[] _sinks;
    private readonly long _maxPendingBytes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abortDispatch = new();
    private TaskCompletionSource _room = NewRoomSignal();
    private long _pendingBytes;
    private Task _dispatcher = Task.CompletedTask;

    public MessagePipeline(IEnumerable<IServerEventSink> sinks, TcpMsgServerOptions options, ILogger<MessagePipeline> logger)
    {
        _sinks = [.. sinks];
        _maxPendingBytes = options.MaxPendingBytes;
        _logger = logger;
    }

    /// <summary>True when more bytes are waiting than allowed; the caller should <see cref="WaitForRoomAsync"/>.</summary>
    public bool IsFull => Volatile.Read(ref _pendingBytes) > _maxPendingBytes;

    public void Start()
    {
        var token = _abortDispatch.Token;
        _dispatcher = Task.Run(() => DispatchAsync(token));
    }

    /// <summary>Queues an event. Never blocks; a message's bytes count against the pending limit.</summary>
    public void Publish(ServerEvent serverEvent)
    {
        if (serverEvent is ReceivedMessage message)
        {
            Interlocked.Add(ref _pendingBytes, message.ByteCount);
        }

        if (!_channel.Writer.TryWrite(serverEvent))
        {
            LogLateEvent(serverEvent.Kind, serverEvent.Connection.Id);
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

    public void Dispose() => _abortDispatch.Dispose();

    private async Task DispatchAsync(CancellationToken token)
    {
        var reader = _channel.Reader;
        var batch = new List<ServerEvent>(MaxBatchSize);
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            long bytes = 0;
            while (batch.Count < MaxBatchSize && reader.TryRead(out var serverEvent))
            {
                batch.Add(serverEvent);
                if (serverEvent is ReceivedMessage message)
                {
                    bytes += message.ByteCount;
                }
            }

            if (!token.IsCancellationRequested)
            {
                await DeliverAsync(batch, token).ConfigureAwait(false);
            }

            batch.Clear();
            Release(bytes);
        }
    }

    private async ValueTask DeliverAsync(List<ServerEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                await sink.OnEventsAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One failing sink must not stop the others or the server.
                LogSinkFailed(ex, sink.GetType().Name, batch.Count);
            }
        }
    }

    private void Release(long bytes)
    {
        var after = Interlocked.Add(ref _pendingBytes, -bytes);
        if (after <= _maxPendingBytes && after + bytes > _maxPendingBytes)
        {
            Interlocked.Exchange(ref _room, NewRoomSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewRoomSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event sink {Sink} failed on a batch of {Count} events")]
    private partial void LogSinkFailed(Exception exception, string sink, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} event of connection {ConnectionId} arrived after the server stopped dispatching")]
    private partial void LogLateEvent(ServerEventKind kind, string connectionId);
}
