using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// A plain-mode connection: the connection's reader (<see cref="ConnectionReader"/>) hands it each
/// read, whose complete messages it frames into a batch of UTF-8 text (<see cref="PlainBatchFramer"/>)
/// and publishes. Returns how the connection ended. In a chat room it is also a member: lines of
/// the room are written back, and its lines may be commands (PlainSession.Chat.cs).
/// </summary>
internal sealed partial class PlainSession : IReadHandler
{
    private readonly ConnectionState _state;
    private readonly TcpMsgServerOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly MessageFraming _framing;
    private PlainBatchFramer _framer;

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
        _framing = options.Framing;
    }

    public async Task<TcpMsgErrorCode> RunAsync()
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

    private async Task<TcpMsgErrorCode> ReadAsync()
    {
        var info = _state.Info;
        _framer = new PlainBatchFramer(_options.PlainFraming, _options.MaxMessageSize, detect: _options.Syslog != SyslogMode.Off);
        try
        {
            switch (await new ConnectionReader(_state, _pipeline, _statistics).RunAsync(this).ConfigureAwait(false))
            {
                case ReadEnd.Stopped:
                    return TcpMsgErrorCode.PeerClosed;
                case ReadEnd.PeerFinished:
                    return Ended(_state.AbortReason ?? TcpMsgErrorCode.PeerClosed);
                default:
                    return Ended(_state.AbortReason ?? TcpMsgErrorCode.Aborted);
            }
        }
        catch (MessageTooLargeException ex)
        {
            _statistics.OnOversized();
            _pipeline.Publish(new ConnectionError(
                info,
                _time.GetUtcNow(),
                TcpMsgErrorCode.MessageTooLarge,
                $"message from {info.EndPoint} exceeds the limit of {ex.Limit} bytes ({ex.ObservedBytes} bytes without an end); connection closed",
                ex.ObservedBytes,
                ex.Limit));
            return TcpMsgErrorCode.MessageTooLarge;
        }
        catch (ProtocolException ex)
        {
            // A bad octet count or a frame cut short: what follows cannot be framed.
            _pipeline.Publish(new ConnectionError(info, _time.GetUtcNow(), TcpMsgErrorCode.ProtocolError, $"{ex.Message}; connection closed"));
            return TcpMsgErrorCode.ProtocolError;
        }
    }

    /// <summary>Frames one read into batches (one, unless it is large) and publishes them; a chat member's commands are handled here too.</summary>
    ReadStep IReadHandler.OnRead(in ReadOnlySequence<byte> buffer, bool isFinal, bool isCanceled, long allowance, out SequencePosition consumed, out SequencePosition examined)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        var commands = _member is not null && _framing == MessageFraming.Line;
        var taken = 0L;
        try
        {
            while (!_quit && !buffer.IsEmpty)
            {
                // One batch, and one clock read, for the messages of this read.
                var batch = _batch ??= RentBatch(_state.Info, _time.GetUtcNow());
                var before = batch.Count;
                PlainFrameResult framed;
                ReadOnlySequence<byte> pending;
                try
                {
                    framed = _framer.Frame(buffer.Slice(consumed), isFinal, batch, allowance == long.MaxValue ? long.MaxValue : allowance - taken, _member?.Name, commands, out pending, out consumed, out examined);
                }
                finally
                {
                    _state.MessagesReceived += batch.Count - before;
                    taken += batch.Count - before;
                }

                switch (framed)
                {
                    case PlainFrameResult.NeedMoreData:
                        return ReadStep.Continue;
                    case PlainFrameResult.Full:
                        Flush();
                        continue;
                    case PlainFrameResult.Pending:
                        Deliver(pending);
                        taken++;
                        break;
                }

                if (framed == PlainFrameResult.Limited || taken >= allowance)
                {
                    // The rate allows no more from this read: the rest is read again once it does.
                    examined = consumed;
                    return ReadStep.Limited;
                }
            }
        }
        finally
        {
            // The read's messages go to the pipeline in one operation, even when a message too
            // large ended the loop: the complete ones before it were received.
            Flush();
        }

        return _quit ? ReadStep.Stop : ReadStep.Continue;
    }

    ValueTask<bool> IReadHandler.AfterReadAsync() => ValueTask.FromResult(true);

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
            TcpMsgErrorCode.InvalidUtf8,
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
