using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Knows every open connection: enforces the connection limit, closes idle connections from one
/// periodic sweep (one timer for the server, not one per connection), and aborts what is left when
/// the shutdown timeout runs out.
/// </summary>
internal sealed partial class ConnectionTracker : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ConnectionState, byte> _connections = new(ReferenceEqualityComparer.Instance);
    private readonly TcpMsgServerOptions _options;
    private readonly ServerStatistics _statistics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _sweeper = Task.CompletedTask;
    private Timer? _shutdownTimer;
    private int _count;
    private int _disposed;

    private readonly DescriptorBudget? _descriptors;

    public ConnectionTracker(TcpMsgServerOptions options, ServerStatistics statistics, ILogger<ConnectionTracker> logger)
    {
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _descriptors = DescriptorBudget.Current();
        Capacity = Math.Min(options.MaxConnections, _descriptors?.Connections ?? int.MaxValue);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The connection limit in force: <see cref="TcpMsgServerOptions.MaxConnections"/>, or fewer when the
    /// process's open-files limit leaves room for fewer (<see cref="DescriptorBudget"/>).
    /// </summary>
    public int Capacity { get; }

    /// <summary>Adds a connection unless the server is at its connection limit.</summary>
    public bool TryAdd(ConnectionState state)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _connections.TryAdd(state, 0);
        return true;
    }

    public void Remove(ConnectionState state)
    {
        if (_connections.TryRemove(state, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void Start()
    {
        if (_descriptors is { } budget && Capacity < _options.MaxConnections)
        {
            LogDescriptorBudget(budget.SoftLimit, budget.OpenAtStart, DescriptorBudget.Reserve, Capacity, _options.MaxConnections);
        }

        if (_options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            _sweeper = SweepIdleAsync(_stopping.Token);
        }
    }

    /// <summary>Starts the shutdown clock: connections still open after the shutdown timeout are aborted.</summary>
    public void BeginShutdown()
    {
        _shutdownTimer ??= new Timer(
            static state => ((ConnectionTracker)state!).CloseAll(DisconnectReason.ServerShutdown),
            this,
            _options.ShutdownTimeout,
            Timeout.InfiniteTimeSpan);
    }

    public void CloseAll(DisconnectReason reason)
    {
        foreach (var state in _connections.Keys)
        {
            state.Close(reason);
        }
    }

    public void KillAll(string detail)
    {
        foreach (var state in _connections.Keys)
        {
            state.Kill(detail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeper.ConfigureAwait(false);
        if (_shutdownTimer is not null)
        {
            await _shutdownTimer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task SweepIdleAsync(CancellationToken cancellationToken)
    {
        var timeout = (long)_options.IdleTimeout.TotalMilliseconds;

        // A quarter of the timeout keeps the error under 25%; the bounds keep the sweep cheap and prompt.
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(timeout / 4, 10, 1000));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var state in _connections.Keys)
                {
                    if (state.IdleMilliseconds(now) <= timeout)
                    {
                        continue;
                    }

                    // Reading paused by a rate limit: the server holds the connection back, not the peer.
                    if (state.Context.Features.Get<Transport.GuardedPipeReader>() is { IsThrottling: true })
                    {
                        state.Touch();
                        continue;
                    }

                    state.Close(DisconnectReason.IdleTimeout, _statistics.OnIdleTimeout);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The idle-connection sweep failed; idle connections are no longer closed")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The open-files limit ({Limit}, of which {Open} are in use at start and {Reserve} kept in reserve) leaves room for {Capacity} connections, fewer than --max-connections {MaxConnections}: further connections are refused. Raise it with ulimit -n (LimitNOFILE= in a systemd unit) or lower --max-connections")]
    private partial void LogDescriptorBudget(long limit, int open, int reserve, int capacity, int maxConnections);
}
