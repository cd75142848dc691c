using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// A plain-mode connection: one read loop that frames the complete messages of each read into one
/// batch of UTF-8 text (<see cref="PlainBatchFramer"/>) and publishes the batch. Returns how the connection ended. In a chat room it is also a member: lines of
/// the room are written back, and its lines may be commands (PlainSession.Chat.cs).
/// </summary>
internal sealed partial class PlainSession
{
    private readonly ConnectionState _state;
    private readonly TcpMsgServerOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly MessageFraming _framing;

    // The messages of the current read, published once the read is framed.
    private MessageBatch? _batch;

    public PlainSession(ConnectionState state, TcpMsgServerOptions options, MessagePipeline pipeline, ServerStatistics statistics, TimeProvider time, ChatRoom? chat = null)
    {
        _chat = chat;
        _state = state;
        _options = options;
        _pipeline = pipeline;
        _statistics = statistics;
        _time = time;
        _framing = options.Framing == PlainFraming.Whole ? MessageFraming.Whole : MessageFraming.Line;
    }

    public async Task<DisconnectReason> RunAsync()
    {
        JoinChat();
        try
        {
            return await ReadAsync().ConfigureAwait(false);
        }
        finally
        {
            await LeaveChatAsync().ConfigureAwait(false);
        }
    }

    private async Task<DisconnectReason> ReadAsync()
    {
        var info = _state.Info;
        var input = _state.Context.Transport.Input;
        var framer = new PlainBatchFramer(_options.Framing, _options.MaxMessageSize, detect: _options.Syslog != SyslogMode.Off);
        var commands = _member is not null && _framing == MessageFraming.Line;
        try
        {
            while (true)
            {
                // No token here: ConnectionClosed fires soon after a FIN, and a cancelled read would drop
                // the bytes that came with it. The server's own close cancels the pending read instead.
                _state.BeginRead();
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                _state.OnRead(buffer.Length, _statistics);

                // After the server closed the connection, what is left is a fragment, not a last message.
                var finished = result.IsCompleted && _state.AbortReason is null;
                var consumed = buffer.Start;
                var examined = buffer.End;
                var allowance = _state.Allowance();
                var taken = 0L;
                var limited = false;
                try
                {
                    while (!_quit && !buffer.IsEmpty)
                    {
                        // One batch, and one clock read, for the messages of this read.
                        var batch = _batch ??= RentBatch(info, _time.GetUtcNow());
                        var before = batch.Count;
                        PlainFrameResult framed;
                        ReadOnlySequence<byte> pending;
                        try
                        {
                            framed = framer.Frame(buffer.Slice(consumed), finished, batch, allowance == long.MaxValue ? long.MaxValue : allowance - taken, _member?.Name, commands, out pending, out consumed, out examined);
                        }
                        finally
                        {
                            _state.MessagesReceived += batch.Count - before;
                            taken += batch.Count - before;
                        }

                        if (framed == PlainFrameResult.NeedMoreData)
                        {
                            break;
                        }

                        if (framed == PlainFrameResult.Full)
                        {
                            Flush();
                            continue;
                        }

                        if (framed == PlainFrameResult.Pending)
                        {
                            Deliver(pending);
                            taken++;
                        }

                        if (framed == PlainFrameResult.Limited || taken >= allowance)
                        {
                            // The rate allows no more from this read: the rest is read again once it does.
                            limited = true;
                            examined = consumed;
                            break;
                        }
                    }
                }
                finally
                {
                    // The read's messages go to the pipeline in one operation, even when a message too
                    // large ended the loop: the complete ones before it were received.
                    Flush();
                    _state.Unconsumed = buffer.Slice(consumed).Length;
                    _state.OnAdvanced(_state.Unconsumed, !consumed.Equals(buffer.Start));
                    input.AdvanceTo(consumed, examined);
                }

                if (_quit)
                {
                    return DisconnectReason.PeerClosed;
                }

                // Limited by the rate, the connection is not over: what is left is read again.
                if (result.IsCanceled || (result.IsCompleted && !limited))
                {
                    if (finished)
                    {
                        _pipeline.Publish(new PeerFinishedSending(info, _time.GetUtcNow(), _state.BytesReceived));
                    }

                    return Ended(_state.AbortReason ?? (finished ? DisconnectReason.PeerClosed : DisconnectReason.Aborted));
                }

                if (_pipeline.IsFull)
                {
                    await _pipeline.WaitForRoomAsync(_state.Aborted).ConfigureAwait(false);
                    _state.Touch();
                }
            }
        }
        catch (MessageTooLargeException ex)
        {
            _statistics.OnOversized();
            _pipeline.Publish(new ConnectionError(
                info,
                _time.GetUtcNow(),
                ConnectionErrorCode.MessageTooLarge,
                $"message from {info.EndPoint} exceeds the limit of {ex.Limit} bytes ({ex.ObservedBytes} bytes without an end); connection closed",
                ex.ObservedBytes,
                ex.Limit));
            return DisconnectReason.MessageTooLarge;
        }
        catch (ProtocolException ex)
        {
            // A bad octet count or a frame cut short: what follows cannot be framed.
            _pipeline.Publish(new ConnectionError(info, _time.GetUtcNow(), ConnectionErrorCode.ProtocolError, $"{ex.Message}; connection closed"));
            return DisconnectReason.ProtocolError;
        }
    }

    /// <summary>
    /// Adds a message the framer left to the session: a chat member's line that may be a command (the
    /// only lines decoded here), or one that is not valid UTF-8, reported before it.
    /// </summary>
    private void Deliver(in ReadOnlySequence<byte> bytes)
    {
        var message = bytes;
        if (_member is not null && _framing == MessageFraming.Line && FirstByte(bytes) == (byte)'/' && IsCommandLine(ref message))
        {
            return;
        }

        _state.MessagesReceived++;
        var batch = _batch ??= RentBatch(_state.Info, _time.GetUtcNow());
        var sender = _member?.Name;
        if (batch.TryAdd(message, sender))
        {
            return;
        }

        // Not valid UTF-8 (rare): reported before the message, which then comes in a batch of its own.
        var info = _state.Info;
        var now = batch.Timestamp;
        Flush();
        _statistics.OnInvalidUtf8();
        _pipeline.Publish(new ConnectionError(
            info,
            now,
            ConnectionErrorCode.InvalidUtf8,
            $"message from {info.EndPoint} is not valid UTF-8; bad bytes shown as U+FFFD",
            (int)message.Length));
        _batch = RentBatch(info, now);
        _batch.AddInvalid(message, sender);
    }

    private MessageBatch RentBatch(ConnectionInfo info, DateTimeOffset now)
    {
        var batch = _pipeline.RentBatch(info, now, _framing, chatOrigin: _member);
        batch.Syslog = _options.Syslog;
        return batch;
    }

    /// <summary>Publishes the messages framed so far, before anything else this connection publishes.</summary>
    private void Flush()
    {
        if (_batch is { } batch)
        {
            _batch = null;
            _pipeline.Publish(batch);
        }
    }

    private static byte FirstByte(in ReadOnlySequence<byte> bytes) => bytes.FirstSpan.IsEmpty ? bytes.Slice(0, 1).FirstSpan[0] : bytes.FirstSpan[0];
}
