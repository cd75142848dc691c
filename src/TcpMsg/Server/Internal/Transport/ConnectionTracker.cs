using System.Collections.Concurrent;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Knows every connection a session is serving, for the <see cref="Transport.DeadlineSweeper"/> that
/// closes those past a deadline and for shutdown: it closes what is still open when the shutdown
/// timeout runs out, and aborts what is left once the server has stopped. It counts nothing against
/// a limit: that is the connection's <see cref="Transport.AdmissionLease"/>.
/// </summary>
internal sealed class ConnectionTracker : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ConnectionState, byte> _connections = new(ReferenceEqualityComparer.Instance);
    private readonly TimeSpan _shutdownTimeout;
    private readonly TimeProvider _time;
    private ITimer? _shutdownTimer;
    private int _count;
    private int _disposed;

    public ConnectionTracker(TcpMsgServerOptions options, TimeProvider time)
    {
        _shutdownTimeout = options.ShutdownTimeout;
        _time = time;
    }

    /// <summary>Connections being served now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The open connections, for sweeps that close some of them.</summary>
    public IEnumerable<ConnectionState> Connections => _connections.Keys;

    public void Add(ConnectionState state)
    {
        if (_connections.TryAdd(state, 0))
        {
            Interlocked.Increment(ref _count);
        }
    }

    public void Remove(ConnectionState state)
    {
        if (_connections.TryRemove(state, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Starts the shutdown clock: connections still open after the shutdown timeout are closed.</summary>
    public void BeginShutdown()
    {
        if (_shutdownTimer is null)
        {
            var timer = _time.CreateTimer(
                static state => ((ConnectionTracker)state!).CloseAll(TcpMsgErrorCode.ServerShutdown),
                this,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
            if (Interlocked.CompareExchange(ref _shutdownTimer, timer, null) is null)
            {
                timer.Change(_shutdownTimeout, Timeout.InfiniteTimeSpan);
            }
            else
            {
                timer.Dispose();
            }
        }
    }

    public void CloseAll(TcpMsgErrorCode reason)
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
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _shutdownTimer is not null)
        {
            await _shutdownTimer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
