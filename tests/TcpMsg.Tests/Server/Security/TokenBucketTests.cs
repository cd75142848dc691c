using TcpMsg.Server;
using TcpMsg.Server.Internal.Security;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_burst_passes_free_then_debt_is_repaid_at_the_rate()
    {
        // 100/s: a reader resumes when a quantum of 2 tokens (20 ms of the rate) is there.
        var clock = new ManualTimeProvider();
        var bucket = new TokenBucket(new RateLimit(100, 20), clock);
        Assert.Equal(20, bucket.Available());

        bucket.Take(20);
        Assert.Equal(0, bucket.Available());
        Assert.Equal(TimeSpan.FromSeconds(0.02), bucket.Wait());

        bucket.Take(50);
        Assert.Equal(TimeSpan.FromSeconds(0.52), bucket.Wait());

        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(TimeSpan.FromSeconds(0.32), bucket.Wait());

        clock.Advance(TimeSpan.FromSeconds(0.32));
        Assert.Equal(TimeSpan.Zero, bucket.Wait());
        Assert.Equal(2, bucket.Available());
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
        Assert.Equal(5, bucket.Available());

        // The quantum at 10/s is one token: the wait ends when the debt of one is repaid and one is there.
        bucket.Take(6);
        Assert.Equal(TimeSpan.FromSeconds(0.2), bucket.Wait());
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1000, 2000, 20)]
    [InlineData(100_000, 50, 50)]
    public void The_quantum_is_20_ms_of_the_rate_at_most_the_burst_at_least_one(double rate, int burst, int quantum)
    {
        var clock = new ManualTimeProvider();
        var bucket = new TokenBucket(new RateLimit(rate, burst), clock);
        bucket.Take(burst);

        Assert.Equal(TimeSpan.FromSeconds(quantum / rate), bucket.Wait());
    }
}
