namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// A token bucket from which readers reserve before they take messages, and may go into debt doing
/// so: a reader with bytes to read takes what the bucket holds or, when it holds less than a quantum
/// (20 ms of the rate, at most the burst), a quantum on credit, and waits until the debt (its own and
/// that of the readers ahead of it) is repaid. What the reader did not use it returns. So the rate and
/// the burst hold exactly across every reader of the bucket, waiting readers queue one behind the
/// other instead of all waking at once, and a reader held to its rate wakes at most 50 times a second.
/// </summary>
internal sealed class TokenBucket
{
    private const double QuantumSeconds = 0.02;

    private readonly double _rate;
    private readonly double _capacity;
    private readonly double _quantum;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(RateLimit limit, TimeProvider time)
    {
        _rate = limit.MessagesPerSecond;
        _capacity = limit.Burst;
        _quantum = Math.Max(1, Math.Min(_capacity, Math.Ceiling(_rate * QuantumSeconds)));
        _time = time;
        _tokens = _capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>
    /// Reserves messages for one read: everything the bucket holds when that is at least a quantum
    /// (no wait), else a quantum on credit and the wait until the debt is repaid.
    /// </summary>
    public (long Granted, TimeSpan Wait) Reserve()
    {
        lock (_lock)
        {
            Refill();
            var granted = _tokens >= _quantum ? (long)_tokens : (long)_quantum;
            _tokens -= granted;
            return (granted, _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate));
        }
    }

    /// <summary>Settles a reservation: <paramref name="used"/> of the <paramref name="granted"/> messages were taken; the rest goes back.</summary>
    public void Settle(long granted, long used)
    {
        if (granted == used)
        {
            return;
        }

        lock (_lock)
        {
            Refill();
            _tokens = Math.Min(_capacity, _tokens + granted - used);
        }
    }

    /// <summary>True when the bucket has refilled completely: forgetting it loses nothing.</summary>
    public bool IsFull
    {
        get
        {
            lock (_lock)
            {
                Refill();
                return _tokens >= _capacity;
            }
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _rate));
        _refilledAt = now;
    }
}
