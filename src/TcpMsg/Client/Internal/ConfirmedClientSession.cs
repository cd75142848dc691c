using System.Net;
using System.Text;
using System.Threading.Channels;

namespace TcpMsg.Client.Internal;

/// <summary>
/// Confirmed-mode sending (docs/protocol.md): a window of messages in flight, each settled by the
/// server's cumulative ACK or by an ERROR; on a lost connection, reconnect (when allowed) and resend
/// what is unacknowledged under the same client id, which the server deduplicates.
/// </summary>
internal sealed partial class ConfirmedClientSession : IClientSession
{
    private readonly HostPort _server;
    private readonly MessageClientOptions _options;
    private readonly string _clientId;
    private readonly PendingRing _ring;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _window;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource _disposed = new();
    private Connection? _connection;
    private Exception? _fatal;
    private Exception? _firstFailure;
    private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _retryDeadline;
    private TcpMsgException? _lastLoss;
    private bool _welcomed;
    private Task _recovery = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private Task _watchdog = Task.CompletedTask;
    private int _maxMessageSize = int.MaxValue;
    private bool _completing;

    private ConfirmedClientSession(HostPort server, MessageClientOptions options)
    {
        _server = server;
        _options = options;
        _time = options.TimeProvider;
        _clientId = options.ClientId ?? Guid.NewGuid().ToString("N");
        _ring = new PendingRing(Math.Max(1, options.Window));
        _window = new SemaphoreSlim(Math.Max(1, options.Window));
        _chatEvents = options.JoinChat
            ? Channel.CreateBounded<ChatEvent>(new BoundedChannelOptions(Math.Max(16, options.ChatBufferSize)) { SingleReader = false, SingleWriter = false })
            : null;
    }

    public DeliveryStatistics Statistics { get; } = new();

    public IPEndPoint? RemoteEndPoint => _connection?.Transport.Socket.RemoteEndPoint as IPEndPoint;

    public IPEndPoint? LocalEndPoint => _connection?.Transport.Socket.LocalEndPoint as IPEndPoint;

    public string ClientId => _clientId;

    public static async Task<ConfirmedClientSession> ConnectAsync(HostPort server, MessageClientOptions options, CancellationToken cancellationToken)
    {
        var session = new ConfirmedClientSession(server, options);
        try
        {
            await session.ConnectFirstAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        session._writer = session.WriteLoopAsync();
        session._watchdog = session.WatchdogAsync();
        return session;
    }

    public async ValueTask<long> EnqueueAsync(string text, CancellationToken cancellationToken) =>
        await EnqueueAsync(text, null, cancellationToken).ConfigureAwait(false);

    public async Task<long> SendAsync(string text, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(text, completion, cancellationToken).ConfigureAwait(false);
        return await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every message is settled, says GOODBYE, and waits for the server to close.
    /// </summary>
    /// <exception cref="TcpMsgException">Some messages were not delivered. (<see cref="TcpMsgErrorCode.NotDelivered"/>)</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Task settled;
        lock (_lock)
        {
            _completing = true;
            settled = _ring.IsEmpty ? Task.CompletedTask : _settled.Task;
        }

        await settled.WaitAsync(cancellationToken).ConfigureAwait(false);
        var connection = _connection;
        if (connection is not null)
        {
            await connection.SayGoodbyeAsync(_options.CloseTimeout, cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (Statistics.Failed > 0)
            {
                var first = _firstFailure ?? _fatal ?? new TcpMsgException(TcpMsgErrorCode.ConnectionFailed, "unknown failure");
                throw new TcpMsgException(
                    TcpMsgErrorCode.NotDelivered,
                    $"{Statistics.Failed} message(s) not delivered ({Statistics.Delivered} delivered); first failure: {first.Message}",
                    first);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        _wake.Writer.TryComplete();
        _chatEvents?.Writer.TryComplete();
        Connection? connection;
        lock (_lock)
        {
            connection = _connection;
            _connection = null;
            Release(_ring.FailAll(new ObjectDisposedException(nameof(MessageClient), "the client was disposed before the message was acknowledged"), Statistics));
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_writer, _watchdog, _recovery).ConfigureAwait(false);
        _disposed.Dispose();
        _window.Dispose();
    }

    private async ValueTask<long> EnqueueAsync(string text, TaskCompletionSource<long>? completion, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (Encoding.UTF8.GetByteCount(text) is var bytes && bytes > Volatile.Read(ref _maxMessageSize))
        {
            throw new TcpMsgException(TcpMsgErrorCode.MessageTooLarge, $"the message is {bytes} bytes; the server accepts at most {_maxMessageSize}");
        }

        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        long sequence;
        lock (_lock)
        {
            if (_fatal is not null || _completing)
            {
                _window.Release();
                throw _fatal ?? new InvalidOperationException("the client is completing; no more messages can be sent");
            }

            sequence = _ring.Add(text, completion);
            Statistics.OnSent();
        }

        _wake.Writer.TryWrite(true);
        return sequence;
    }

    /// <summary>Frees window slots; wakes CompleteAsync when nothing is pending. Called under the lock.</summary>
    private void Release(int slots)
    {
        if (slots > 0)
        {
            _window.Release(slots);
        }

        if (_ring.IsEmpty)
        {
            _settled.TrySetResult();
            _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void RecordFailure(Exception error) => _firstFailure ??= error;
}
