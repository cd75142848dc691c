using TcpMsg.Server;
using TcpMsg.Server.Internal.Security;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_burst_passes_free_then_debt_is_repaid_at_the_rate()
    {
        var clock = new ManualTimeProvider();
        var bucket = new TokenBucket(new RateLimit(100, 20), clock);

        bucket.Take(20);
        Assert.Equal(TimeSpan.Zero, bucket.Debt());

        bucket.Take(50);
        Assert.Equal(TimeSpan.FromSeconds(0.5), bucket.Debt());

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(TimeSpan.FromSeconds(0.3), bucket.Debt());

        clock.Advance(TimeSpan.FromSeconds(0.3));
        Assert.Equal(TimeSpan.Zero, bucket.Debt());
        Assert.False(bucket.IsFull);
    }

    [Fact]
    public void A_quiet_bucket_refills_to_its_burst_and_no_further()
    {
        var clock = new ManualTimeProvider();
        var bucket = new TokenBucket(new RateLimit(10, 5), clock);
        bucket.Take(5);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(bucket.IsFull);

        bucket.Take(6);
        Assert.Equal(TimeSpan.FromSeconds(0.1), bucket.Debt());
    }
}
