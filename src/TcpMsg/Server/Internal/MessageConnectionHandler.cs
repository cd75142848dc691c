using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Security;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Serves one connection: one read loop that frames complete messages, decodes each once and
/// publishes it; limits, timeouts and disconnects are reported as events.
/// </summary>
internal sealed partial class MessageConnectionHandler : ConnectionHandler
{
    private readonly TcpMsgServerOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ConnectionTracker _tracker;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly RefusalReporter _refusals;
    private readonly ILogger _logger;

    public MessageConnectionHandler(
        TcpMsgServerOptions options,
        MessagePipeline pipeline,
        ConnectionTracker tracker,
        ServerStatistics statistics,
        TimeProvider time,
        RefusalReporter refusals,
        ILogger<MessageConnectionHandler> logger)
    {
        _options = options;
        _pipeline = pipeline;
        _tracker = tracker;
        _statistics = statistics;
        _time = time;
        _refusals = refusals;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var info = ConnectionDescriber.Describe(connection, _time.GetUtcNow());
        var state = new ConnectionState(connection, info);
        if (!_tracker.TryAdd(state))
        {
            _statistics.OnRefused();
            _refusals.Report(info, _options.MaxConnections);
            return;
        }

        _statistics.OnAccepted();
        try
        {
            await ServeAsync(state).ConfigureAwait(false);
        }
        finally
        {
            _tracker.Remove(state);
            _statistics.OnClosed();
        }
    }

    private async Task ServeAsync(ConnectionState state)
    {
        var info = state.Info;
        var input = state.Context.Transport.Input;
        var framer = new PlainMessageReader(_options.Framing, _options.MaxMessageSize);
        var framing = _options.Framing == PlainFraming.Whole ? MessageFraming.Whole : MessageFraming.Line;
        var counters = new ConnectionCounters();
        var rate = state.Context.Features.Get<IMessageRateFeature>();
        var reason = DisconnectReason.PeerClosed;
        _pipeline.Publish(new ClientConnected(info, info.ConnectedAt));
        try
        {
            while (true)
            {
                // No token here: ConnectionClosed fires soon after a FIN, and a cancelled read would drop
                // the bytes that came with it. The server's own close cancels the pending read instead.
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                state.Touch();
                counters.OnRead(buffer.Length, _statistics);

                // After the server closed the connection, what is left is a fragment, not a last message.
                var finished = result.IsCompleted && state.AbortReason is null;
                var consumed = buffer.Start;
                var examined = buffer.End;
                var messagesBefore = counters.Messages;
                try
                {
                    while (framer.TryReadMessage(buffer.Slice(consumed), finished, out var message, out consumed, out examined))
                    {
                        Deliver(info, message, framing, ref counters);
                    }
                }
                finally
                {
                    counters.Unconsumed = buffer.Slice(consumed).Length;
                    input.AdvanceTo(consumed, examined);
                    rate?.OnMessages(counters.Messages - messagesBefore);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (finished)
                    {
                        _pipeline.Publish(new PeerFinishedSending(info, _time.GetUtcNow(), counters.Bytes));
                    }

                    reason = state.AbortReason ?? (finished ? DisconnectReason.PeerClosed : DisconnectReason.Aborted);
                    break;
                }

                if (_pipeline.IsFull)
                {
                    await _pipeline.WaitForRoomAsync(state.Aborted).ConfigureAwait(false);
                    state.Touch();
                }
            }
        }
        catch (MessageTooLargeException ex)
        {
            reason = DisconnectReason.MessageTooLarge;
            _statistics.OnOversized();
            _pipeline.Publish(new ConnectionError(
                info,
                _time.GetUtcNow(),
                ConnectionErrorCode.MessageTooLarge,
                $"message from {info.EndPoint} exceeds the limit of {ex.Limit} bytes ({ex.ObservedBytes} bytes without an end); connection closed",
                ex.ObservedBytes,
                ex.Limit));
        }
        catch (ConnectionResetException)
        {
            reason = DisconnectReason.PeerReset;
            _statistics.OnPeerReset();
        }
        catch (Exception ex) when (ex is ConnectionAbortedException or OperationCanceledException)
        {
            reason = state.AbortReason ?? DisconnectReason.Aborted;
        }
        catch (Exception ex)
        {
            reason = DisconnectReason.Aborted;
            LogConnectionFailed(ex, info.Id, info.EndPoint);
            _pipeline.Publish(new ConnectionError(info, _time.GetUtcNow(), ConnectionErrorCode.InternalError, $"unexpected error on {info.EndPoint}: {ex.Message}"));
        }

        ReportEnd(info, reason, counters);
    }

    private void Deliver(ConnectionInfo info, in ReadOnlySequence<byte> bytes, MessageFraming framing, ref ConnectionCounters counters)
    {
        var text = Utf8MessageDecoder.Decode(bytes, out var valid);
        var length = (int)bytes.Length;
        var now = _time.GetUtcNow();
        counters.Messages++;
        if (!valid)
        {
            _statistics.OnInvalidUtf8();
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                ConnectionErrorCode.InvalidUtf8,
                $"message from {info.EndPoint} is not valid UTF-8; bad bytes shown as U+FFFD",
                length));
        }

        _pipeline.Publish(new ReceivedMessage(info, now, text, length, framing, valid ? null : bytes.ToArray()));
    }

    private void ReportEnd(ConnectionInfo info, DisconnectReason reason, in ConnectionCounters counters)
    {
        _statistics.OnMessages(counters.Messages);
        var now = _time.GetUtcNow();
        var discarded = reason is DisconnectReason.PeerClosed or DisconnectReason.MessageTooLarge ? 0 : counters.Unconsumed;
        if (discarded > 0)
        {
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                ConnectionErrorCode.IncompleteMessage,
                $"{discarded} bytes of an incomplete message from {info.EndPoint} were discarded ({reason})",
                discarded));
        }

        if (reason == DisconnectReason.IdleTimeout)
        {
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                ConnectionErrorCode.IdleTimeout,
                $"{info.EndPoint} sent nothing for {_options.IdleTimeout.TotalSeconds:0.###} s; connection closed",
                0,
                (long)_options.IdleTimeout.TotalMilliseconds));
        }

        _pipeline.Publish(new ClientDisconnected(info, now, reason, counters.Bytes, counters.Messages, discarded));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId} from {Peer} failed")]
    private partial void LogConnectionFailed(Exception exception, string connectionId, string peer);

    /// <summary>Per-connection counts, kept on the handler's stack.</summary>
    private struct ConnectionCounters
    {
        public long Bytes;
        public long Messages;
        public long Unconsumed;

        public void OnRead(long bufferLength, ServerStatistics statistics)
        {
            var fresh = bufferLength - Unconsumed;
            if (fresh > 0)
            {
                Bytes += fresh;
                statistics.OnBytes(fresh);
            }
        }
    }
}
