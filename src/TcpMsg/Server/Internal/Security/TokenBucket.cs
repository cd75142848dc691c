namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// A token bucket that may go into debt: messages already read are always accepted and paid for;
/// the reader then waits until the debt is repaid. So the rate holds on average and nothing is dropped.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(RateLimit limit, TimeProvider time)
    {
        _rate = limit.MessagesPerSecond;
        _capacity = limit.Burst;
        _time = time;
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

    /// <summary>How long until the bucket is out of debt; zero when it is not in debt.</summary>
    public TimeSpan Debt()
    {
        lock (_lock)
        {
            Refill();
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
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
