using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal.Transport;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Serves one connection that the layers below admitted (its <see cref="AdmissionLease"/> holds its
/// place under the limits): tracks it for the deadline sweep, tells plain from confirmed mode by the
/// first bytes, runs the matching session, and reports how the connection ended. In a chat room a
/// connection that has sent nothing yet is a plain member at once (a listening <c>nc</c> sends
/// nothing, ever), withdrawn if its first bytes are the confirmed preamble.
/// </summary>
internal sealed partial class MessageConnectionHandler : ConnectionHandler
{
    private readonly TcpMsgServerOptions _options;
    private readonly MessagePipeline _pipeline;
    private readonly ConnectionTracker _tracker;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly TokenVerifier _tokens;
    private readonly PeerReporter _reporter;
    private readonly ILogger _logger;
    private readonly Chat.ChatRoom? _chat;
    private readonly ClientIdRegistry _clientIds = new();

    public MessageConnectionHandler(
        TcpMsgServerOptions options,
        MessagePipeline pipeline,
        ConnectionTracker tracker,
        ServerStatistics statistics,
        TimeProvider time,
        TokenVerifier tokens,
        PeerReporter reporter,
        ILogger<MessageConnectionHandler> logger,
        Chat.ChatRoom? chat = null)
    {
        _chat = chat;
        _tokens = tokens;
        _reporter = reporter;
        _options = options;
        _pipeline = pipeline;
        _tracker = tracker;
        _statistics = statistics;
        _time = time;
        _logger = logger;
    }

    // An idle connection costs what its objects cost (docs/benchmarks.md, idle): one async method
    // holds it from accept to the end, not a chain of them.
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var info = ConnectionDescriber.Describe(connection, _time.GetUtcNow());
        var state = new ConnectionState(connection, info, _time);

        // Rate limits pause reading by the messages this connection delivers, in either mode.
        if (connection.Features.Get<IMessageRateFeature>() is { } rate)
        {
            CountMessages(rate, state);
        }

        _tracker.Add(state);
        _statistics.OnAccepted();
        return ServeAsync(state);
    }

    private static void CountMessages(IMessageRateFeature rate, ConnectionState state)
    {
        rate.CountMessages(() => state.MessagesReceived);
        state.Rate = rate;
    }

    /// <summary>Tells the mode by the first bytes (<see cref="ModeDetection"/>), runs the session, says how the connection ended and stops tracking it.</summary>
    private async Task ServeAsync(ConnectionState state)
    {
        var info = state.Info;
        var reason = TcpMsgErrorCode.PeerClosed;
        PlainSession? early = null;
        try
        {
            early = JoinEarly(state);
            _pipeline.Publish(new ClientConnected(info, info.ConnectedAt));
            try
            {
                var detection = new ModeDetection(state);
                await new ConnectionReader(state, _pipeline, _statistics).RunAsync(detection).ConfigureAwait(false);
                reason = detection.Match switch
                {
                    PreambleMatch.Confirmed => await RunConfirmedAsync(state, early).ConfigureAwait(false),
                    PreambleMatch.Plain when !_options.Security.AllowPlain => await RefusePlainAsync(state).ConfigureAwait(false),
                    PreambleMatch.Plain => await (early ?? NewPlainSession(state)).RunAsync().ConfigureAwait(false),
                    _ when early is not null => await early.EndUndecidedAsync(state.AbortReason ?? TcpMsgErrorCode.Aborted).ConfigureAwait(false),
                    _ => state.AbortReason ?? TcpMsgErrorCode.Aborted,
                };
            }
            catch (ConnectionResetException)
            {
                reason = TcpMsgErrorCode.PeerReset;
                _statistics.OnPeerReset();
            }
            catch (Exception ex) when (ex is ConnectionAbortedException or OperationCanceledException)
            {
                reason = state.AbortReason ?? TcpMsgErrorCode.Aborted;
            }
            catch (Exception ex)
            {
                reason = TcpMsgErrorCode.Aborted;
                LogConnectionFailed(ex, info.Id, info.EndPoint);
                _pipeline.Publish(new ConnectionError(info, _time.GetUtcNow(), TcpMsgErrorCode.InternalError, $"unexpected error on {info.EndPoint}: {ex.Message}"));
            }
            finally
            {
                if (early is not null)
                {
                    await early.LeaveChatAsync().ConfigureAwait(false);
                }
            }

            ReportEnd(state, reason);
        }
        finally
        {
            _tracker.Remove(state);
            _statistics.OnClosed();
        }
    }

    private PlainSession NewPlainSession(ConnectionState state) => new(state, _options, _pipeline, _statistics, _time, _chat);

    /// <summary>
    /// In a chat room, a connection whose first bytes are not there yet joins as a plain member at
    /// once, so it misses nothing said from now on; null when the bytes already there decide, or
    /// there is no room (or no plain mode).
    /// </summary>
    private PlainSession? JoinEarly(ConnectionState state)
    {
        if (_chat is null || !_options.Security.AllowPlain)
        {
            return null;
        }

        // Bytes already received decide the mode as they would anyway: nothing to join early.
        var input = state.Context.Transport.Input;
        if (input.TryRead(out var result))
        {
            var decided = result.Buffer.Length >= ConfirmedPreamble.Length || result.IsCompleted || result.IsCanceled
                || ConfirmedPreamble.Match(result.Buffer, isFinal: false) != PreambleMatch.NeedMoreData;
            input.AdvanceTo(result.Buffer.Start);
            if (decided)
            {
                return null;
            }
        }

        var early = NewPlainSession(state);
        early.JoinEarly();
        return early;
    }

    private async Task<TcpMsgErrorCode> RunConfirmedAsync(ConnectionState state, PlainSession? early)
    {
        if (early is not null)
        {
            await early.WithdrawAsync().ConfigureAwait(false);
        }

        return await new ConfirmedSession(state, _options, _pipeline, _statistics, _time, _tokens, _reporter, _clientIds, _chat).RunAsync().ConfigureAwait(false);
    }

    /// <summary>Plain mode is switched off (<c>--no-plain</c>): say so in one line a person can read, and close.</summary>
    private async Task<TcpMsgErrorCode> RefusePlainAsync(ConnectionState state)
    {
        _reporter.Report(state.Info, TcpMsgErrorCode.PlainRefused, "plain mode is off on this server; the connection was closed");
        var output = state.Context.Transport.Output;
        await output.WriteAsync("tcpmsg: this server accepts only tcpmsg clients in confirmed mode (tcpmsg send)\n"u8.ToArray()).ConfigureAwait(false);
        return TcpMsgErrorCode.Unauthorized;
    }

    private void ReportEnd(ConnectionState state, TcpMsgErrorCode reason)
    {
        var info = state.Info;
        var now = _time.GetUtcNow();
        var discarded = reason is TcpMsgErrorCode.PeerClosed or TcpMsgErrorCode.MessageTooLarge or TcpMsgErrorCode.ProtocolError or TcpMsgErrorCode.Unauthorized ? 0 : state.Unconsumed;
        if (discarded > 0)
        {
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                TcpMsgErrorCode.IncompleteMessage,
                $"{discarded} bytes of an incomplete message from {info.EndPoint} were discarded ({reason})",
                discarded));
        }

        if (reason == TcpMsgErrorCode.IdleTimeout)
        {
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                TcpMsgErrorCode.IdleTimeout,
                $"{info.EndPoint} sent nothing for {_options.IdleTimeout.TotalSeconds:0.###} s; connection closed",
                0,
                (long)_options.IdleTimeout.TotalMilliseconds));
        }

        _pipeline.Publish(new ClientDisconnected(info, now, reason, state.BytesReceived, state.MessagesReceived, discarded));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId} from {Peer} failed")]
    private partial void LogConnectionFailed(Exception exception, string connectionId, string peer);
}
