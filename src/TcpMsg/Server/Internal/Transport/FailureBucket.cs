using System.Threading.RateLimiting;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The failed token attempts of one address, as a <see cref="RateLimiter"/> on the server's
/// <see cref="TimeProvider"/> (the platform's limiters keep their own clock, Stopwatch, which a test
/// cannot advance): a bucket of <see cref="TokenAttemptLimiter.Burst"/> failures that refills one
/// per <see cref="TokenAttemptLimiter.RefillEvery"/>. Acquiring 1 records a failure; when the bucket
/// is empty the address is refused for <see cref="TokenAttemptLimiter.Lockout"/>, and acquiring 0
/// (may it try?) fails until then, with the time left as <see cref="MetadataName.RetryAfter"/>.
/// </summary>
internal sealed class FailureBucket : RateLimiter
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _left = TokenAttemptLimiter.Burst;
    private long _refilledAt;
    private long _lockedUntil;
    private long _usedAt;

    public FailureBucket(TimeProvider time)
    {
        _time = time;
        _refilledAt = _usedAt = time.GetTimestamp();
    }

    /// <summary>On a lease for a failure: the failures recorded and not yet refilled, how far the address is slowed.</summary>
    public static MetadataName<int> Failures { get; } = MetadataName.Create<int>("TCPMSG_FAILURES");

    // Idle once full and not refused: the partitioned limiter may then drop it.
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                Refill(now);
                return _left >= TokenAttemptLimiter.Burst && now >= _lockedUntil ? _time.GetElapsedTime(_usedAt, now) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill(_time.GetTimestamp());
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)_left };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _usedAt = now;
            Refill(now);
            if (now < _lockedUntil)
            {
                return new Lease(false, _time.GetElapsedTime(now, _lockedUntil), TokenAttemptLimiter.Burst);
            }

            if (permitCount == 0)
            {
                return Lease.Acquired;
            }

            _left -= permitCount;
            if (_left >= 1)
            {
                return new Lease(true, null, TokenAttemptLimiter.Burst - (int)Math.Ceiling(_left));
            }

            // The last failure the bucket allowed: refused from now on, for a while.
            _left = 0;
            _lockedUntil = now + (long)(TokenAttemptLimiter.Lockout.TotalSeconds * _time.TimestampFrequency);
            return new Lease(false, TokenAttemptLimiter.Lockout, TokenAttemptLimiter.Burst);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill(long now)
    {
        var refills = _time.GetElapsedTime(_refilledAt, now) / TokenAttemptLimiter.RefillEvery;
        if (refills >= 1)
        {
            _left = Math.Min(TokenAttemptLimiter.Burst, _left + Math.Floor(refills));
            _refilledAt = now;
        }
    }

    private sealed class Lease : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null, 0);

        private readonly TimeSpan? _retryAfter;
        private readonly int _failures;

        public Lease(bool acquired, TimeSpan? retryAfter, int failures)
        {
            IsAcquired = acquired;
            _retryAfter = retryAfter;
            _failures = failures;
        }

        public override bool IsAcquired { get; }

        public override IEnumerable<string> MetadataNames => _retryAfter is null ? [Failures.Name] : [MetadataName.RetryAfter.Name, Failures.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == MetadataName.RetryAfter.Name && _retryAfter is not null)
            {
                metadata = _retryAfter;
                return true;
            }

            metadata = _failures;
            return metadataName == Failures.Name;
        }
    }
}
