using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// One periodic sweep over the open connections (not a timer per connection) that closes those whose
/// message has dribbled in for longer than the message timeout (slow-loris) and those older than the
/// maximum lifetime. Closing is the gentle kind: complete messages are kept, then a FIN. It also
/// keeps connections that a rate limit holds back from looking idle to the idle-timeout sweep.
/// </summary>
internal sealed partial class DeadlineSweeper : BackgroundService
{
    private readonly ConnectionTracker _tracker;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _messageTimeout;
    private readonly TimeSpan _lifetime;
    private readonly TimeSpan _touchThrottled;
    private readonly ILogger _logger;

    public DeadlineSweeper(
        TcpMsgServerOptions options,
        ConnectionTracker tracker,
        MessagePipeline pipeline,
        ServerStatistics statistics,
        TimeProvider time,
        ILogger<DeadlineSweeper> logger)
    {
        _tracker = tracker;
        _pipeline = pipeline;
        _statistics = statistics;
        _time = time;
        _messageTimeout = options.Security.MessageTimeout;
        _lifetime = options.Security.MaxConnectionLifetime;
        _touchThrottled = options.Security.ConnectionRate is null && options.Security.AddressRate is null ? Timeout.InfiniteTimeSpan : options.IdleTimeout;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // With rate limits, throttled connections are marked busy four times per idle timeout.
        var shortest = new[] { _messageTimeout, _lifetime, _touchThrottled }
            .Where(t => t != Timeout.InfiniteTimeSpan)
            .DefaultIfEmpty()
            .Min();
        if (shortest <= TimeSpan.Zero)
        {
            return;
        }

        // A quarter of the shortest limit keeps the error under 25%; the bounds keep the sweep cheap and prompt.
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
        using var timer = new PeriodicTimer(tick, _time);
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
        var now = _time.GetUtcNow();
        foreach (var state in _tracker.Connections)
        {
            var input = state.Context.Features.Get<GuardedPipeReader>();
            if (input is { IsThrottling: true })
            {
                state.Touch();
            }

            // With rate limits the guarded reader keeps the message clock (it knows when it throttles);
            // otherwise the sessions keep it in the connection's state.
            if (_messageTimeout != Timeout.InfiniteTimeSpan &&
                (input?.UnfinishedMessageTime() ?? state.UnfinishedMessageTime()) > _messageTimeout)
            {
                CloseSlow(state, now);
            }
            else if (_lifetime != Timeout.InfiniteTimeSpan && now - state.Info.ConnectedAt > _lifetime)
            {
                CloseOld(state, now);
            }
        }
    }

    // The reports are built only for a connection being closed: the sweep visits every connection.
    private void CloseSlow(ConnectionState state, DateTimeOffset now)
    {
        var info = state.Info;
        state.Close(DisconnectReason.MessageTimeout, () =>
        {
            _statistics.OnMessageTimeout();
            _pipeline.Publish(new ConnectionError(
                info,
                now,
                ConnectionErrorCode.MessageTimeout,
                $"a message took longer than {_messageTimeout.TotalSeconds:0.###} s to arrive (slow sender); connection closed",
                0,
                (long)_messageTimeout.TotalMilliseconds));
        });
    }

    private void CloseOld(ConnectionState state, DateTimeOffset now)
    {
        var info = state.Info;
        state.Close(DisconnectReason.LifetimeExceeded, () => _pipeline.Publish(new ConnectionError(
            info,
            now,
            ConnectionErrorCode.LifetimeExceeded,
            $"connected for longer than {_lifetime.TotalSeconds:0.###} s (--max-connection-lifetime); connection closed",
            0,
            (long)_lifetime.TotalMilliseconds)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The message-timeout sweep failed; slow connections are no longer closed")]
    private partial void LogSweepFailed(Exception exception);
}
