using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_reader_takes_the_burst_then_quanta_on_credit_and_waits_for_the_debt()
    {
        // 100/s, burst 20: the quantum is 2 tokens (20 ms of the rate).
        var clock = FakeClock.Create();
        var bucket = new TokenBucket(new RateLimit(100, 20), clock);

        Assert.Equal((20L, TimeSpan.Zero), bucket.Reserve());
        bucket.Settle(20, 20);

        Assert.Equal((2L, TimeSpan.FromSeconds(0.02)), bucket.Reserve());
        bucket.Settle(2, 2);

        clock.Advance(TimeSpan.FromSeconds(0.02));
        Assert.Equal((2L, TimeSpan.FromSeconds(0.02)), bucket.Reserve());
        bucket.Settle(2, 2);

        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal((8L, TimeSpan.Zero), bucket.Reserve());
    }

    [Fact]
    public void Readers_in_debt_queue_one_behind_the_other()
    {
        var clock = FakeClock.Create();
        var bucket = new TokenBucket(new RateLimit(100, 20), clock);
        bucket.Settle(bucket.Reserve().Granted, 20);

        // Three readers at once: each waits for the debt of those ahead of it too, so they wake in turn.
        Assert.Equal(TimeSpan.FromSeconds(0.02), bucket.Reserve().Wait);
        Assert.Equal(TimeSpan.FromSeconds(0.04), bucket.Reserve().Wait);
        Assert.Equal(TimeSpan.FromSeconds(0.06), bucket.Reserve().Wait);
    }

    [Fact]
    public void What_a_reader_did_not_use_goes_back_and_what_it_used_beyond_is_owed()
    {
        var clock = FakeClock.Create();
        var bucket = new TokenBucket(new RateLimit(100, 20), clock);

        var (granted, _) = bucket.Reserve();
        bucket.Settle(granted, 5);
        Assert.Equal((15L, TimeSpan.Zero), bucket.Reserve());

        // 15 granted, 25 used (messages the handler took without counting them against the grant).
        bucket.Settle(15, 25);
        Assert.Equal(TimeSpan.FromSeconds(0.12), bucket.Reserve().Wait);
    }

    [Fact]
    public void A_quiet_bucket_refills_to_its_burst_and_no_further()
    {
        var clock = FakeClock.Create();
        var bucket = new TokenBucket(new RateLimit(10, 5), clock);
        bucket.Settle(bucket.Reserve().Granted, 5);
        Assert.False(bucket.IsFull);

        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(bucket.IsFull);
        Assert.Equal((5L, TimeSpan.Zero), bucket.Reserve());

        // Giving back more than the burst does not raise it.
        bucket.Settle(5, 0);
        bucket.Settle(5, 0);
        Assert.Equal((5L, TimeSpan.Zero), bucket.Reserve());
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1000, 2000, 20)]
    [InlineData(100_000, 50, 50)]
    public void The_quantum_is_20_ms_of_the_rate_at_most_the_burst_at_least_one(double rate, int burst, int quantum)
    {
        var clock = FakeClock.Create();
        var bucket = new TokenBucket(new RateLimit(rate, burst), clock);
        bucket.Settle(bucket.Reserve().Granted, burst);

        Assert.Equal((quantum, TimeSpan.FromSeconds(quantum / rate)), bucket.Reserve());
    }
}
