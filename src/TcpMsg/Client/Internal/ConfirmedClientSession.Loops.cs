using System.Buffers;
using TcpMsg.Protocol;

namespace TcpMsg.Client.Internal;

/// <summary>The writer (one per session), the reader (one per connection) and the ack watchdog.</summary>
internal sealed partial class ConfirmedClientSession
{
    private readonly List<(long Sequence, string Text)> _toWrite = [];
    private readonly List<CommandFrame> _commandsToWrite = [];
    private TaskCompletionSource? _goodbyeWritten;

    /// <summary>
    /// The only code that writes frames: it takes every message not yet written on the current
    /// connection, encodes them, and flushes once, so a burst costs one system call.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        while (await _wake.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _wake.Reader.TryRead(out _);
            Connection? connection;
            TaskCompletionSource? goodbye;
            lock (_lock)
            {
                connection = _connection;
                if (connection is null)
                {
                    continue;
                }

                _toWrite.Clear();
                _ring.TakeUnwritten(_toWrite);
                _commandsToWrite.Clear();
                TakeCommands(_commandsToWrite);
                goodbye = _goodbyeWritten;
                _goodbyeWritten = null;
            }

            try
            {
                foreach (var (sequence, text) in _toWrite)
                {
                    MessageFrame.Write(connection.Writer, sequence, text);
                }

                foreach (var command in _commandsToWrite)
                {
                    command.Write(connection.Writer);
                }

                if (goodbye is not null)
                {
                    GoodbyeFrame.Write(connection.Writer);
                }

                if (_toWrite.Count > 0 || _commandsToWrite.Count > 0 || goodbye is not null)
                {
                    await connection.Writer.FlushAsync(connection.Stopping).ConfigureAwait(false);

                    // The ack timeout counts from the last write or acknowledgement, whichever is later.
                    connection.Touch();
                    connection.MarkSent();
                }

                goodbye?.TrySetResult();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                goodbye?.TrySetException(ex);
                OnLost(connection, new TcpMsgException(TcpMsgErrorCode.Reset, $"connection to {_server} lost while sending: {ex.Message}", ex));
            }
        }
    }

    private Task WriteGoodbyeAsync(Connection connection, CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (!ReferenceEquals(_connection, connection))
            {
                return Task.CompletedTask;
            }

            _goodbyeWritten = written;
        }

        _wake.Writer.TryWrite(true);
        return written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the server's frames on one connection until it ends.</summary>
    private async Task ReadLoopAsync(Connection connection)
    {
        TcpMsgException? lost = null;
        try
        {
            while (true)
            {
                var result = await connection.Reader.ReadAsync(connection.Stopping).ConfigureAwait(false);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                try
                {
                    while (FrameReader.TryReadFrame(buffer.Slice(consumed), MaxIncomingFrame, out var type, out var payload, out consumed))
                    {
                        if (type is FrameType.Deliver or FrameType.Notice)
                        {
                            // Parsed before awaiting: the payload is a view of the pipe's buffer, valid until AdvanceTo.
                            if (OnChatFrame(type, payload) is { } chatEvent)
                            {
                                await PublishChatAsync(chatEvent, connection.Stopping).ConfigureAwait(false);
                            }

                            continue;
                        }

                        if (!Handle(connection, type, payload))
                        {
                            return;
                        }
                    }
                }
                finally
                {
                    connection.Reader.AdvanceTo(consumed, buffer.End);
                }

                if (result.IsCompleted)
                {
                    lost = new TcpMsgException(TcpMsgErrorCode.Reset, $"{_server} closed the connection with messages unacknowledged");
                    return;
                }
            }
        }
        catch (ProtocolException ex)
        {
            lost = new TcpMsgException(TcpMsgErrorCode.ConnectionFailed, $"{_server} broke the protocol: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            lost = connection.Stopping.IsCancellationRequested
                ? null
                : new TcpMsgException(TcpMsgErrorCode.Reset, $"connection reset by {_server}: messages sent last may not have arrived", ex);
        }
        finally
        {
            if (lost is not null)
            {
                OnLost(connection, lost);
            }
        }
    }

    /// <summary>Handles one frame from the server; false when the connection is done.</summary>
    private bool Handle(Connection connection, FrameType type, in ReadOnlySequence<byte> payload)
    {
        switch (type)
        {
            case FrameType.Ack:
                var ack = AckFrame.Parse(payload);
                connection.Touch();
                lock (_lock)
                {
                    var released = _ring.AcknowledgeUpTo(ack.Sequence, ack.Id, Statistics);
                    if (released > 0)
                    {
                        // Progress: the next failure starts a new retry period.
                        _retryDeadline = null;
                    }

                    Release(released);
                }

                return true;
            case FrameType.Error:
                return OnError(connection, ErrorFrame.Parse(payload));
            case FrameType.Goodbye:
                connection.OnGoodbye();
                return true;
            default:
                // WELCOME twice, or a client-to-server frame: this is not a server we understand.
                throw new ProtocolException(ProtocolErrorCode.Protocol, $"unexpected {type} frame from the server");
        }
    }

    private bool OnError(Connection connection, ErrorFrame error)
    {
        var rejected = error.ToRejection();
        if (error.IsRetryable && _options.RetryFor is not null)
        {
            // The store is failing or the server is stopping: reconnect with backoff and resend.
            OnLost(connection, new TcpMsgException(TcpMsgErrorCode.Reset, $"{_server}: {error.Reason}", rejected));
            return false;
        }

        if (error.Sequence > 0)
        {
            lock (_lock)
            {
                RecordFailure(rejected);
                Release(_ring.Fail(error.Sequence, rejected, Statistics));
            }

            return true;
        }

        OnLost(connection, new TcpMsgException(
            error.IsRetryable ? TcpMsgErrorCode.Reset : TcpMsgErrorCode.RejectedByServer,
            $"{_server} closed the connection ({error.Code}): {error.Reason}",
            rejected));
        return false;
    }

    /// <summary>Messages in flight and no acknowledgement for the ack timeout: the connection is dead.</summary>
    private async Task WatchdogAsync()
    {
        var ackPeriod = _options.AckTimeout.TotalMilliseconds / 4;
        var pingPeriod = _idleTimeout > TimeSpan.Zero ? _idleTimeout.TotalMilliseconds / 6 : double.MaxValue;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(ackPeriod, pingPeriod), 10, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_disposed.Token).ConfigureAwait(false))
            {
                Connection? stalled = null;
                Connection? current;
                lock (_lock)
                {
                    current = _connection;
                    if (_connection is { } connection && _ring.HasInFlight &&
                        Environment.TickCount64 - connection.LastProgress > _options.AckTimeout.TotalMilliseconds)
                    {
                        stalled = connection;
                    }
                }

                if (current is not null && stalled is null)
                {
                    PingIfQuiet(current);
                }

                if (stalled is not null)
                {
                    OnLost(stalled, new TcpMsgException(
                        TcpMsgErrorCode.TimedOut,
                        $"{_server} acknowledged nothing for {_options.AckTimeout.TotalSeconds:0.###} s"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
