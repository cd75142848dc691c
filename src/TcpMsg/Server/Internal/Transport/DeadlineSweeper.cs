using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The one sweep over the open connections (one timer for the server, not one per connection, on the
/// server's <see cref="TimeProvider"/>) that closes what is past a deadline: a confirmed client that
/// sent no HELLO within the handshake timeout, a message that has dribbled in for longer than the
/// message timeout (slow-loris), a connection older than the maximum lifetime, one on which nothing
/// arrived for the idle timeout. Closing is the gentle kind: complete messages are kept, then a FIN.
/// A connection that a rate limit holds back is busy, not idle, and the time it is held does not
/// count against its message. The PROXY and TLS layers, which run before a session tracks the
/// connection, bound their handshakes themselves, on the same clock. Each sweep also tells the
/// <see cref="MemoryTrimmer"/> how much the server holds.
/// </summary>
internal sealed partial class DeadlineSweeper : BackgroundService
{
    private readonly ConnectionTracker _tracker;
    private readonly MessagePipeline _pipeline;
    private readonly PeerReporter _reporter;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly MemoryTrimmer _trimmer;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TimeSpan _messageTimeout;
    private readonly TimeSpan _lifetime;
    private readonly ILogger _logger;

    public DeadlineSweeper(
        TcpMsgServerOptions options,
        ConnectionTracker tracker,
        MessagePipeline pipeline,
        PeerReporter reporter,
        ServerStatistics statistics,
        TimeProvider time,
        MemoryTrimmer trimmer,
        ILogger<DeadlineSweeper> logger)
    {
        _trimmer = trimmer;
        _tracker = tracker;
        _pipeline = pipeline;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
        _idleTimeout = options.IdleTimeout;
        _handshakeTimeout = options.Security.HandshakeTimeout;
        _messageTimeout = options.Security.MessageTimeout;
        _lifetime = options.Security.MaxConnectionLifetime;
        _logger = logger;
    }

    /// <summary>How often the sweep runs: a quarter of the shortest deadline keeps the error under 25%; the bounds keep it cheap and prompt.</summary>
    public TimeSpan Tick
    {
        get
        {
            var shortest = new[] { _idleTimeout, _handshakeTimeout, _messageTimeout, _lifetime }
                .Where(t => t != Timeout.InfiniteTimeSpan)
                .Min();
            return TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
        }
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        var utcNow = _time.GetUtcNow();
        foreach (var state in _tracker.Connections)
        {
            // Reading paused by a rate limit or the read budget: the server holds the connection back, not the peer.
            if (state.IsHeld)
            {
                state.Touch();
            }

            if (state.HandshakeExpired(now))
            {
                CloseHandshake(state);
            }
            else if (_messageTimeout != Timeout.InfiniteTimeSpan && state.UnfinishedMessageTime(now) > _messageTimeout)
            {
                CloseSlow(state, utcNow);
            }
            else if (_lifetime != Timeout.InfiniteTimeSpan && utcNow - state.Info.ConnectedAt > _lifetime)
            {
                CloseOld(state, utcNow);
            }
            else if (_idleTimeout != Timeout.InfiniteTimeSpan && state.IdleTime(now) > _idleTimeout)
            {
                // The handler reports it with the connection's end (MessageConnectionHandler.ReportEnd).
                state.Close(TcpMsgErrorCode.IdleTimeout, _statistics.OnIdleTimeout);
            }
        }

        _trimmer.Observe(now);
    }

    // The reports are built only for a connection being closed: the sweep visits every connection.
    private void CloseHandshake(ConnectionState state)
    {
        var info = state.Info;
        state.Close(TcpMsgErrorCode.HandshakeTimeout, () => _reporter.Report(
            info,
            TcpMsgErrorCode.HandshakeTimeout,
            $"no HELLO within {_handshakeTimeout.TotalSeconds:0.###} s of the preamble",
            (long)_handshakeTimeout.TotalMilliseconds));
    }

    private void CloseSlow(ConnectionState state, DateTimeOffset now)
    {
        var info = state.Info;
        state.Close(TcpMsgErrorCode.MessageTimeout, () =>
        {
            _statistics.OnMessageTimeout();
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                TcpMsgErrorCode.MessageTimeout,
                $"a message took longer than {_messageTimeout.TotalSeconds:0.###} s to arrive (slow sender); connection closed",
                0,
                (long)_messageTimeout.TotalMilliseconds));
        });
    }

    private void CloseOld(ConnectionState state, DateTimeOffset now)
    {
        var info = state.Info;
        state.Close(TcpMsgErrorCode.LifetimeExceeded, () => _pipeline.Publish(new ConnectionError(
            info,
            now,
            TcpMsgErrorCode.LifetimeExceeded,
            $"connected for longer than {_lifetime.TotalSeconds:0.###} s (the maximum connection lifetime); connection closed",
            0,
            (long)_lifetime.TotalMilliseconds)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The deadline sweep failed; connections past a deadline are no longer closed")]
    private partial void LogSweepFailed(Exception exception);
}
