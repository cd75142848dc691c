using Microsoft.Extensions.Time.Testing;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Moves a server's <see cref="FakeTimeProvider"/> forward until something happens. The server works
/// on its own threads, so the clock goes in small steps, each followed by a moment (of real time) for
/// the sweep it triggered; what the test asserts is a lower bound on the fake time that passed, which
/// no scheduling delay can break.
/// </summary>
public static class FakeClock
{
    /// <summary>A clock whose time starts at a round date; its timers fire only when advanced.</summary>
    public static FakeTimeProvider Create() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> until <paramref name="condition"/> holds;
    /// returns how much fake time passed. Fails after <paramref name="limit"/> of fake time, or the default
    /// test timeout of real time.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider clock, TimeSpan step, TimeSpan limit, Func<bool> condition, string what)
    {
        var passed = TimeSpan.Zero;
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!condition())
        {
            if (passed > limit || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what} ({passed.TotalSeconds:0.###} s of fake time).");
            }

            clock.Advance(step);
            passed += step;
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return passed;
    }
}
