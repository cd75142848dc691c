using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Server.Internal;

/// <summary>
/// A confirmed-mode connection (docs/protocol.md): HELLO, then pipelined MESSAGE frames, the ones of
/// each read published as one batch with this session's outbox as where the acknowledgement goes; GOODBYE ends it once
/// everything sent was acknowledged. Any protocol violation is answered with ERROR and closes.
/// In a chat room, a client that asks for it is a member (ConfirmedSession.Chat.cs).
/// </summary>
internal sealed partial class ConfirmedSession : IReadHandler
{
    // HELLO's fields and MESSAGE's sequence number need room beyond the message text.
    private const int FrameOverhead = 64;

    // At shutdown, how long to wait for messages already in the pipeline to be acknowledged.
    private static readonly TimeSpan s_shutdownSettle = TimeSpan.FromSeconds(2);

    private readonly ConnectionState _state;
    private readonly TcpMsgServerOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly ConnectionOutbox _outbox;
    private readonly TokenVerifier _tokens;
    private readonly PeerReporter _reporter;
    private TimeSpan _refusalDelay;
    private readonly ClientIdRegistry _clientIds;
    private readonly int _maxFrame;
    private string? _clientId;
    private bool _claimed;
    private HelloFrame? _helloToAnswer;
    private long _lastPublished;
    private long _lastReceived;
    private bool _goodbye;

    // The messages of the current read, published once the read is framed.
    private MessageBatch? _batch;

    public ConfirmedSession(
        ConnectionState state,
        TcpMsgServerOptions options,
        MessagePipeline pipeline,
        ServerStatistics statistics,
        TimeProvider time,
        TokenVerifier tokens,
        PeerReporter reporter,
        ClientIdRegistry clientIds,
        Chat.ChatRoom? chat = null)
    {
        _chat = chat;
        _clientIds = clientIds;
        _tokens = tokens;
        _reporter = reporter;
        _state = state;
        _options = options;
        _pipeline = pipeline;
        _statistics = statistics;
        _time = time;
        _maxFrame = options.MaxMessageSize + FrameOverhead;
        _outbox = new ConnectionOutbox(
            state.Context.Transport.Output,
            reason => state.Close(TcpMsgErrorCode.ProtocolError),
            () => state.Close(TcpMsgErrorCode.StoreFailed));
    }

    public async Task<TcpMsgErrorCode> RunAsync()
    {
        _outbox.Start();

        // Slow-loris in confirmed mode: HELLO must come within the handshake timeout (DeadlineSweeper).
        _state.AwaitHandshake(_options.Security.HandshakeTimeout);
        try
        {
            return await ReadFramesAsync().ConfigureAwait(false);
        }
        catch (ProtocolException ex) when (ex.WireCode == ProtocolErrorCode.Unauthorized)
        {
            // An address that keeps failing is answered late (TokenAttemptLimiter): guessing is slow.
            await Task.Delay(_refusalDelay, _time, _state.Aborted).ConfigureAwait(false);
            _outbox.Refuse(0, ex.WireCode, ex.Message);
            _reporter.Report(_state.Info, TcpMsgErrorCode.Unauthorized, ex.Message);
            return TcpMsgErrorCode.Unauthorized;
        }
        catch (ProtocolException ex) when (ex.WireCode == ProtocolErrorCode.ClientIdInUse)
        {
            _outbox.Refuse(0, ex.WireCode, ex.Message);
            _pipeline.Publish(new ConnectionError(_state.Info, _time.GetUtcNow(), TcpMsgErrorCode.ProtocolError, $"{_state.Info.EndPoint}: {ex.Message}; connection refused"));
            return TcpMsgErrorCode.ClientIdInUse;
        }
        catch (ProtocolException ex)
        {
            _outbox.Refuse(0, ex.WireCode, ex.Message);
            var tooLarge = ex.WireCode == ProtocolErrorCode.TooLarge;
            if (tooLarge)
            {
                _statistics.OnOversized();
            }

            _pipeline.Publish(new ConnectionError(
                _state.Info,
                _time.GetUtcNow(),
                tooLarge ? TcpMsgErrorCode.MessageTooLarge : TcpMsgErrorCode.ProtocolError,
                $"{_state.Info.EndPoint}: {ex.Message}; connection closed",
                _state.Unconsumed,
                tooLarge ? _options.MaxMessageSize : 0));
            return tooLarge ? TcpMsgErrorCode.MessageTooLarge : TcpMsgErrorCode.ProtocolError;
        }
        finally
        {
            await _outbox.CompleteAsync().ConfigureAwait(false);
            _member?.Depart();
            if (_claimed)
            {
                _clientIds.Release(_clientId!, this);
            }
        }
    }

    private async Task<TcpMsgErrorCode> ReadFramesAsync()
    {
        var end = await new ConnectionReader(_state, _pipeline, _statistics).RunAsync(this).ConfigureAwait(false);
        return end == ReadEnd.Stopped
            ? TcpMsgErrorCode.PeerClosed
            : Ended(await EndAsync(end == ReadEnd.PeerFinished).ConfigureAwait(false));
    }

    /// <summary>Handles the complete frames of one read; the messages among them go to the pipeline as one batch.</summary>
    ReadStep IReadHandler.OnRead(in ReadOnlySequence<byte> buffer, bool isFinal, bool isCanceled, long allowance, out SequencePosition consumed, out SequencePosition examined)
    {
        consumed = buffer.Start;
        examined = buffer.End;
        var before = _state.MessagesReceived;
        try
        {
            while (!_goodbye && FrameReader.TryReadFrame(buffer.Slice(consumed), _maxFrame, out var type, out var payload, out consumed))
            {
                _goodbye = Handle(type, payload);

                // WELCOME first (its lookup is not done on this thread): frames after HELLO wait. Or
                // the rate allows no more messages from this read. The rest is read again after.
                if (_helloToAnswer is not null || (!_goodbye && _state.MessagesReceived - before >= allowance))
                {
                    examined = consumed;
                    return ReadStep.Limited;
                }
            }
        }
        finally
        {
            Flush();
        }

        return ReadStep.Continue;
    }

    /// <summary>Answers a HELLO; after GOODBYE, waits until everything sent is acknowledged (or rejected), says goodbye and stops.</summary>
    async ValueTask<bool> IReadHandler.AfterReadAsync()
    {
        if (_helloToAnswer is { } hello)
        {
            _helloToAnswer = null;
            await WelcomeAsync(hello).ConfigureAwait(false);
        }

        if (!_goodbye)
        {
            return true;
        }

        await _outbox.WaitSettledAsync(_lastPublished, _state.Aborted).ConfigureAwait(false);
        _outbox.Goodbye();
        return false;
    }

    private async Task<TcpMsgErrorCode> EndAsync(bool peerFinished)
    {
        if (_state.AbortReason == TcpMsgErrorCode.ServerShutdown)
        {
            // Give messages already in the pipeline a moment to be acknowledged, then say why we close.
            using var settle = new CancellationTokenSource(s_shutdownSettle, _time);
            try
            {
                await _outbox.WaitSettledAsync(_lastPublished, settle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client resends what was not acknowledged; the store drops the duplicates.
            }

            _outbox.Refuse(0, ProtocolErrorCode.ShuttingDown, "the server is shutting down; reconnect later");
        }

        return _state.AbortReason ?? (peerFinished ? TcpMsgErrorCode.PeerClosed : TcpMsgErrorCode.Aborted);
    }

    /// <summary>Handles one frame; returns true for GOODBYE.</summary>
    private bool Handle(FrameType type, in ReadOnlySequence<byte> payload)
    {
        switch (type)
        {
            case FrameType.Hello:
                OnHello(HelloFrame.Parse(payload));
                return false;
            case FrameType.Message when _clientId is not null:
                OnMessage(payload);
                return false;
            case FrameType.Message:
                throw new ProtocolException(ProtocolErrorCode.Protocol, "MESSAGE before HELLO");
            case FrameType.Goodbye:
                GoodbyeFrame.Parse(payload);
                return true;
            case FrameType.Command when _member is not null:
                OnCommand(CommandFrame.Parse(payload));
                return false;
            case FrameType.Command:
                throw new ProtocolException(ProtocolErrorCode.Protocol, "COMMAND from a client that is not a chat member (HELLO without the CHAT capability, or a server without a chat room)");
            default:
                throw new ProtocolException(ProtocolErrorCode.Protocol, $"{type} is a server-to-client frame");
        }
    }

    private void OnHello(HelloFrame hello)
    {
        if (_clientId is not null)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "a second HELLO");
        }

        if (hello.Version != 1)
        {
            throw new ProtocolException(ProtocolErrorCode.Version, $"protocol version {hello.Version} is not supported; this server speaks version 1");
        }

        if (!_tokens.Verify(hello.Token, _state.Info, out var refusal, out _refusalDelay))
        {
            throw new ProtocolException(ProtocolErrorCode.Unauthorized, refusal);
        }

        if (!_clientIds.TryClaim(hello.ClientId, OwnerOf(hello.Token), this, out var reason))
        {
            throw new ProtocolException(ProtocolErrorCode.ClientIdInUse, reason);
        }

        _claimed = true;
        Volatile.Write(ref _clientId, hello.ClientId);
        _state.HandshakeDone();
        _helloToAnswer = hello;
    }

    /// <summary>
    /// WELCOME with the sender's last stored sequence: from memory when the dispatcher has seen the
    /// sender, else from the store on the thread pool, never a query on this connection's thread.
    /// </summary>
    private async Task WelcomeAsync(HelloFrame hello)
    {
        long lastSequence;
        try
        {
            lastSequence = _pipeline.TryGetLastSequence(hello.ClientId, out var known)
                ? known
                : await Task.Run(() => _pipeline.GetLastSequence(hello.ClientId)).ConfigureAwait(false);
        }
        catch (Storage.StoreException ex)
        {
            // Retryable for the client: the store may come back.
            throw new ProtocolException(ProtocolErrorCode.StoreFailed, $"cannot read the last sequence of client id {hello.ClientId}: {ex.Message}");
        }

        if (_chat is null)
        {
            _outbox.Welcome(new WelcomeFrame(1, lastSequence, _options.MaxMessageSize));
        }
        else
        {
            JoinChat(hello, lastSequence);
        }
    }

    /// <summary>Who the sender is, as far as the server can tell: its token, else its client certificate.</summary>
    private string? OwnerOf(byte[]? token) =>
        _tokens.Required && token is not null
            ? "token:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(token))
            : _state.Info.ClientCertificateSubject is { } subject ? "certificate:" + subject : null;

    private void OnMessage(in ReadOnlySequence<byte> payload)
    {
        var sequence = MessageFrame.Parse(payload, out var bytes);
        if (sequence < 1 || sequence < _lastReceived)
        {
            // docs/protocol.md: sequences start at 1 and go up; the same one again is a resend (a
            // duplicate), one going backwards on a connection is a broken or hostile client.
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"sequence {sequence} is below the previous one ({_lastReceived}) on this connection");
        }

        _lastReceived = sequence;
        if (bytes.Length > _options.MaxMessageSize)
        {
            throw new ProtocolException(ProtocolErrorCode.TooLarge, $"message {sequence} of {bytes.Length} bytes exceeds the limit of {_options.MaxMessageSize}");
        }

        _state.MessagesReceived++;
        var batch = _batch ??= _pipeline.RentBatch(_state.Info, _time.GetUtcNow(), MessageFraming.Confirmed, _clientId, _outbox, _member);
        if (!batch.TryAdd(bytes, _member?.Name ?? _posterName, sequence))
        {
            // Confirmed senders encode UTF-8 themselves: a bad message is refused, not stored.
            var info = _state.Info;
            var now = batch.Timestamp;
            Flush();
            _statistics.OnInvalidUtf8();
            _pipeline.Publish(new ConnectionError(info, now, TcpMsgErrorCode.InvalidUtf8, $"message {sequence} from {info.EndPoint} is not valid UTF-8; refused", bytes.Length));
            _outbox.Refuse(sequence, ProtocolErrorCode.InvalidUtf8, "the message is not valid UTF-8");
            return;
        }

        _lastPublished = sequence;
    }

    /// <summary>Publishes the messages of this read so far, in one operation, before anything else this connection publishes.</summary>
    private void Flush()
    {
        if (_batch is { } batch)
        {
            _batch = null;
            _pipeline.Publish(batch);
        }
    }
}
