using System.Buffers;
using System.IO.Pipelines;
using TcpMsg.Protocol;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Client.Internal;

/// <summary>Connecting, the handshake, and what happens when a connection is lost.</summary>
internal sealed partial class ConfirmedClientSession
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(5);

    // Frames from the server are small, except what a chat server may deliver.
    private const int MaxIncomingFrame = 16 * 1024 * 1024;

    private async Task ConnectFirstAsync(CancellationToken cancellationToken)
    {
        try
        {
            await OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TcpMsgException ex) when (_options.RetryFor is not null && IsWorthRetrying(ex))
        {
            _retryDeadline = _time.GetUtcNow() + _options.RetryFor.Value;
            _lastLoss = ex;
            _options.Retrying?.Invoke(ex);
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);

            // Never a client that never connected: interrupted, or given up on.
            cancellationToken.ThrowIfCancellationRequested();
            if (_connection is null && _fatal is { } fatal)
            {
                throw fatal;
            }
        }
    }

    /// <summary>Connects, sends the preamble and HELLO, waits for WELCOME, and resends what is pending.</summary>
    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var transport = await ClientTransport.ConnectAsync(_server, _options, cancellationToken).ConfigureAwait(false);
        var connection = new Connection(this, transport);
        try
        {
            ConfirmedPreamble.Bytes.CopyTo(connection.Writer.GetSpan(ConfirmedPreamble.Length));
            connection.Writer.Advance(ConfirmedPreamble.Length);
            new HelloFrame(1, _clientId, HelloCapabilities, HelloName, _options.Token is null ? null : System.Text.Encoding.UTF8.GetBytes(_options.Token)).Write(connection.Writer);
            try
            {
                await connection.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // A TLS server that refuses the client certificate resets the connection this early.
                throw new TcpMsgException(TcpMsgErrorCode.Reset, $"connection to {_server} was reset during the handshake; {Hint}", ex);
            }

            var welcome = await ReadWelcomeAsync(connection, cancellationToken).ConfigureAwait(false);
            OnChatWelcome(welcome);
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                if (_welcomed && welcome.LastSequence >= _ring.Next)
                {
                    // The server has sequences of our id that we never sent: someone else sends under it,
                    // and taking its last sequence as ours would report their messages as our deliveries.
                    throw new TcpMsgException(
                        TcpMsgErrorCode.ClientIdInUse,
                        $"{_server} has sequence {welcome.LastSequence} of client id {_clientId}, but this client sent only up to {_ring.Next - 1}: another sender uses the same client id; give each sender its own");
                }

                // The server's last sequence is contiguous (it never stores past a sequence that failed),
                // so everything up to it is stored. The retry deadline is not reset here: only an
                // acknowledgement is progress, a WELCOME followed by more failures is not.
                _welcomed = true;
                _maxMessageSize = welcome.MaxMessageSize;
                _ring.StartAfter(welcome.LastSequence);
                Release(_ring.OnReconnected(welcome.LastSequence, Statistics));
                connection.Touch();
                _connection = connection;
            }

            connection.Start();
            _wake.Writer.TryWrite(true);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<WelcomeFrame> ReadWelcomeAsync(Connection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            while (true)
            {
                var result = await connection.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);

                // A server that refuses this client says why in one line, then closes.
                switch (ServerNotice.TryRead(result.Buffer, result.IsCompleted, out var notice))
                {
                    case OperationStatus.Done:
                        throw TransportErrors.Refused(notice, _server);
                    case OperationStatus.NeedMoreData:
                        connection.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                        continue;
                }

                // A chat server that took this connection for a plain member at first sent room lines.
                var start = ChatPrelude.Skip(result.Buffer, out var partialLine);
                var buffer = result.Buffer.Slice(start);
                if (partialLine && result.Buffer.Slice(0, start).Length + buffer.Length > MaxIncomingFrame)
                {
                    throw NotTcpMsg("it sent lines of text instead of answering the preamble");
                }

                try
                {
                    if (!partialLine && FrameReader.TryReadFrame(buffer, MaxIncomingFrame, out var type, out var payload, out var consumed))
                    {
                        // Parse before advancing: the payload is a view of the pipe's buffer.
                        var welcome = type switch
                        {
                            FrameType.Welcome => WelcomeFrame.Parse(payload),
                            FrameType.Error => throw Refused(ErrorFrame.Parse(payload)),
                            _ => throw NotTcpMsg($"it answered with an unexpected {type} frame"),
                        };
                        connection.Reader.AdvanceTo(consumed);
                        return welcome;
                    }
                }
                catch (ProtocolException ex)
                {
                    throw NotTcpMsg($"its answer is not tcpmsg's protocol ({ex.Message})");
                }

                connection.Reader.AdvanceTo(start, buffer.End);
                if (result.IsCompleted)
                {
                    throw NotTcpMsg("it closed the connection without answering the preamble");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw NotTcpMsg($"it did not answer the preamble within {_options.HandshakeTimeout.TotalSeconds:0.###} s");
        }
        catch (IOException ex)
        {
            throw new TcpMsgException(TcpMsgErrorCode.Reset, $"connection to {_server} was reset during the handshake; {Hint}", ex);
        }
    }

    /// <summary>
    /// The connection failed. With retries allowed, reconnect in the background and resend what
    /// is unacknowledged; otherwise everything pending fails with <paramref name="cause"/>.
    /// </summary>
    private void OnLost(Connection connection, TcpMsgException cause)
    {
        var reconnect = false;
        lock (_lock)
        {
            if (!ReferenceEquals(_connection, connection))
            {
                return;
            }

            _connection = null;
            if (_completing && _ring.IsEmpty)
            {
                // Done: the server closing after everything was acknowledged is the normal end.
                FailCommands(cause, reconnecting: false);
                _chatEvents?.Writer.TryComplete();
            }
            else if (_options.RetryFor is { } retryFor && cause is not TcpMsgException { Code: TcpMsgErrorCode.RejectedByServer or TcpMsgErrorCode.AccessDenied or TcpMsgErrorCode.Unauthorized or TcpMsgErrorCode.ClientIdInUse })
            {
                _retryDeadline ??= _time.GetUtcNow() + retryFor;
                _lastLoss = cause;
                reconnect = true;
                FailCommands(cause, reconnecting: true);
            }
            else
            {
                Fatal(cause);
            }
        }

        Observe(connection.DisposeAsync().AsTask());
        if (reconnect)
        {
            _options.ConnectionLost?.Invoke(cause);
            var token = _disposed.Token;
            lock (_lock)
            {
                _recovery = Task.Run(() => ReconnectAsync(token), CancellationToken.None);
            }
        }
    }

    /// <summary>Lets a background task run on; a fault is observed, never left to surface later.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        var backoff = s_firstBackoff;
        TcpMsgException? last = null;
        while (_retryDeadline is { } deadline && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            // Full jitter: a fleet of clients does not come back in lockstep after a server restart.
            // Never past the deadline: the retry time is a promise to the caller.
            var wait = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * backoff.TotalMilliseconds);
            var left = deadline - _time.GetUtcNow();
            wait = wait < left ? wait : left > TimeSpan.Zero ? left : TimeSpan.Zero;
            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                await OpenAsync(cancellationToken).ConfigureAwait(false);
                Statistics.OnReconnect();
                _options.Reconnected?.Invoke();
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (TcpMsgException ex) when (IsWorthRetrying(ex) || IsOurOwnEarlierConnection(ex))
            {
                last = ex;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                _options.Retrying?.Invoke(ex);
            }
            catch (TcpMsgException ex)
            {
                lock (_lock)
                {
                    Fatal(ex);
                }

                return;
            }
        }

        lock (_lock)
        {
            // The store failing to the end is the store's failure, not the network's: say so (tcpmsg send exits 11).
            var cause = last ?? _lastLoss;
            var failure = cause?.InnerException is TcpMsgException { Code: TcpMsgErrorCode.StoreFailed, Reason: not null }
                ? TcpMsgErrorCode.StoreFailed
                : TcpMsgErrorCode.TimedOut;
            Fatal(new TcpMsgException(
                failure,
                $"gave up reconnecting to {_server} after {_options.RetryFor?.TotalSeconds:0.###} s; last error: {cause?.Message ?? "none"}",
                cause));
        }
    }

    /// <summary>
    /// Refused as in use while reconnecting: the server may not have finished closing our previous
    /// connection yet (it closes after a store failure); that clears, so it is retried until the deadline.
    /// </summary>
    private bool IsOurOwnEarlierConnection(TcpMsgException ex) =>
        _welcomed && ex is { Code: TcpMsgErrorCode.ClientIdInUse, InnerException: TcpMsgException { Reason: not null } };

    private void Fatal(TcpMsgException cause)
    {
        _fatal ??= cause;
        RecordFailure(cause);
        Release(_ring.FailAll(cause, Statistics));
        FailCommands(cause, reconnecting: false);
        _chatEvents?.Writer.TryComplete(cause);
    }

    private static bool IsWorthRetrying(TcpMsgException ex) =>
        ex.Code is not (TcpMsgErrorCode.NotTcpMsgServer or TcpMsgErrorCode.RejectedByServer or TcpMsgErrorCode.AccessDenied or TcpMsgErrorCode.Unauthorized or TcpMsgErrorCode.HostNotFound or TcpMsgErrorCode.NoChatRoom or TcpMsgErrorCode.ClientIdInUse);

    private TcpMsgException NotTcpMsg(string why) =>
        new(TcpMsgErrorCode.NotTcpMsgServer, $"{_server} is not a tcpmsg server: {why}; {Hint}");

    private TcpMsgException Refused(ErrorFrame error) => error switch
    {
        { IsRetryable: true } => new TcpMsgException(TcpMsgErrorCode.Reset, $"{_server} refused the connection: {error.Reason}"),
        { Code: ProtocolErrorCode.Unauthorized } when _options.Token is not null => new TcpMsgException(TcpMsgErrorCode.Unauthorized, $"{_server} refused the access token this client gave: {error.Reason}"),
        { Code: ProtocolErrorCode.Unauthorized } => new TcpMsgException(TcpMsgErrorCode.Unauthorized, $"{_server} requires an access token and this client gave none: {error.Reason}"),
        { Code: ProtocolErrorCode.ClientIdInUse } => new TcpMsgException(
            TcpMsgErrorCode.ClientIdInUse,
            $"{_server} refused client id {_clientId}: {error.Reason}",
            error.ToRejection()),
        _ => new TcpMsgException(TcpMsgErrorCode.RejectedByServer, $"{_server} refused the connection ({error.Code}): {error.Reason}"),
    };

    private const string Hint = $"to send to a plain TCP receiver (nc, the tutorial's server) use plain mode ({nameof(MessageClientOptions)}.{nameof(MessageClientOptions.Plain)})";

    /// <summary>One TCP connection of the session, with its pipes and its read loop.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly ConfirmedClientSession _session;
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _goodbye = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastProgress;
        private long _lastSent = Environment.TickCount64;
        private Task _reader = Task.CompletedTask;
        private int _disposed;

        public Connection(ConfirmedClientSession session, ClientTransport transport)
        {
            _session = session;
            Transport = transport;
            Reader = PipeReader.Create(transport.Stream, new StreamPipeReaderOptions(leaveOpen: true));
            Writer = PipeWriter.Create(transport.Stream, new StreamPipeWriterOptions(minimumBufferSize: session._options.SendBufferSize, leaveOpen: true));
        }

        public ClientTransport Transport { get; }

        public PipeReader Reader { get; }

        public PipeWriter Writer { get; }

        public CancellationToken Stopping => _stop.Token;

        /// <summary>When the last acknowledgement (or the handshake) arrived, as <see cref="Environment.TickCount64"/>.</summary>
        public long LastProgress => Volatile.Read(ref _lastProgress);

        public void Touch() => Volatile.Write(ref _lastProgress, Environment.TickCount64);

        /// <summary>When something was last written, as <see cref="Environment.TickCount64"/> (for keep-alive pings).</summary>
        public long LastSent => Volatile.Read(ref _lastSent);

        public void MarkSent() => Volatile.Write(ref _lastSent, Environment.TickCount64);

        // On the thread pool, so that _reader is set before any frame is handled: frames already
        // buffered (an ERROR right after WELCOME) would otherwise run the loop inline, and a
        // disposal from inside it would not wait for it.
        public void Start() => _reader = Task.Run(() => _session.ReadLoopAsync(this));

        public void OnGoodbye() => _goodbye.TrySetResult();

        /// <summary>GOODBYE, then the end of our sending side; waits for the server's GOODBYE and close.</summary>
        public async Task SayGoodbyeAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await _session.WriteGoodbyeAsync(this, limit.Token).ConfigureAwait(false);
                await _goodbye.Task.WaitAsync(limit.Token).ConfigureAwait(false);
                await Transport.ShutdownSendAsync().ConfigureAwait(false);
                await _reader.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // Everything was acknowledged already; a slow or abrupt close loses nothing.
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            await Transport.DisposeAsync().ConfigureAwait(false);
            await _reader.ConfigureAwait(false);
            await Reader.CompleteAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
