namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// A token bucket that may go into debt: messages already read are always accepted and paid for;
/// the reader then waits until the debt is repaid. So the rate holds on average and nothing is dropped.
/// A reader resumes only when a quantum of tokens (20 ms of the rate, at most the burst) is there, so
/// that a connection held to its rate wakes at most 50 times a second, not once per message.
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
        _time = time;
        _quantum = Math.Max(1, Math.Min(_capacity, Math.Ceiling(_rate * QuantumSeconds)));
        _tokens = _capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Pays for <paramref name="count"/> messages that were accepted.</summary>
    public void Take(long count)
    {
        lock (_lock)
        {
            Refill();
            _tokens -= count;
        }
    }

    /// <summary>Whole messages the bucket can pay for now without going into debt.</summary>
    public long Available()
    {
        lock (_lock)
        {
            Refill();
            return _tokens <= 0 ? 0 : (long)_tokens;
        }
    }

    /// <summary>How long a reader waits before it may take more: until the debt is repaid and a quantum is there; zero when it is.</summary>
    public TimeSpan Wait()
    {
        lock (_lock)
        {
            Refill();
            return _tokens >= _quantum ? TimeSpan.Zero : TimeSpan.FromSeconds((_quantum - _tokens) / _rate);
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
