using System.Net;
using System.Threading.RateLimiting;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Failed token attempts, limited per address (IPv6: per /64, as the other per-address limits) with
/// a <see cref="PartitionedRateLimiter{TResource}"/> of <see cref="FailureBucket"/>s: after the first
/// failure each refusal of an address waits a second more (at most <see cref="MaxDelay"/>), so one
/// connection guesses slowly; after <see cref="Burst"/> failures not refilled (one comes back every
/// <see cref="RefillEvery"/>) the address is refused outright for <see cref="Lockout"/>, valid token
/// or not, so many connections do not guess faster either. Buckets of addresses that stopped failing
/// are dropped by the partitioned limiter.
/// </summary>
internal sealed class TokenAttemptLimiter : IDisposable
{
    public const int Burst = 5;

    public static readonly TimeSpan RefillEvery = TimeSpan.FromSeconds(12);

    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<IPAddress> _limiter;
    private readonly int _ipv6PrefixLength;

    public TokenAttemptLimiter(TcpMsgServerOptions options, TimeProvider time)
    {
        _ipv6PrefixLength = options.Security.IPv6PrefixLength;
        _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(
            address => RateLimitPartition.Get(address, _ => new FailureBucket(time)));
    }

    /// <summary>Whether <paramref name="address"/> may present a token now; when not, for how long it is refused.</summary>
    public bool MayTry(IPAddress? address, out TimeSpan refusedFor)
    {
        refusedFor = TimeSpan.Zero;
        if (address is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(Key(address), 0);
        if (lease.IsAcquired)
        {
            return true;
        }

        refusedFor = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Lockout;
        return false;
    }

    /// <summary>Records a failed attempt; returns how long its refusal waits, and whether it started the address's lockout.</summary>
    public (TimeSpan Delay, bool LockedOut) OnFailure(IPAddress? address)
    {
        if (address is null)
        {
            return (TimeSpan.Zero, false);
        }

        using var lease = _limiter.AttemptAcquire(Key(address), 1);
        var failures = lease.TryGetMetadata(FailureBucket.Failures, out var counted) ? counted : 1;
        var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, s_step.Ticks * Math.Max(0, failures - 1)));
        return (lease.IsAcquired ? delay : MaxDelay, !lease.IsAcquired);
    }

    public void Dispose() => _limiter.Dispose();

    private IPAddress Key(IPAddress address) => AddressGrouping.KeyOf(address, _ipv6PrefixLength);
}
