using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Transport;

/// <summary>
/// Failed token attempts on loopback and a fake clock: an address that keeps failing is answered
/// later and later (a lower bound on the fake time that passed before each refusal), then refused
/// outright for a while, a valid token included, and let in again once that is over. The log says
/// so once, however many attempts there are.
/// </summary>
public sealed class TokenAttemptLimitTests : LoopbackTest
{
    private const string Right = "right-token-0123456789";
    private const string Wrong = "wrong-token-0123456789";

    [Fact]
    public async Task An_address_that_keeps_failing_is_slowed_then_refused_for_a_while()
    {
        var clock = FakeClock.Create();
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { Tokens = [Right] } };
        await using var server = await TestServer.StartAsync(options, time: clock);

        // Failures 1-4: refused after 0, 1, 2, 3 s of the server's time.
        for (var failure = 1; failure < TokenAttemptLimiter.Burst; failure++)
        {
            var (error, waited) = await FailAsync(clock, server.Port, Wrong);
            Assert.Equal(TcpMsgErrorCode.Unauthorized, error.Code);
            Assert.Contains("not valid", error.Message, StringComparison.Ordinal);
            Assert.True(waited >= TimeSpan.FromSeconds(failure - 1), $"failure {failure} refused after {waited.TotalSeconds} s");
        }

        // The fifth: refused, and the address is locked out.
        var (fifth, _) = await FailAsync(clock, server.Port, Wrong);
        Assert.Contains($"refused for {TokenAttemptLimiter.Lockout.TotalSeconds:0} s", fifth.Message, StringComparison.Ordinal);

        // Now even the right token is refused, and the log says so once for both refusals.
        var (locked, _) = await FailAsync(clock, server.Port, Right);
        var (again, _) = await FailAsync(clock, server.Port, Right);
        Assert.Equal(TcpMsgErrorCode.Unauthorized, locked.Code);
        Assert.Contains("too many failed token attempts", locked.Message, StringComparison.Ordinal);
        Assert.Contains("too many failed token attempts", again.Message, StringComparison.Ordinal);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientDisconnected>().Count() == 7, what: "seven refused connections");
        var lockouts = server.Sink.OfType<ConnectionError>().Where(e => e.Code == TcpMsgErrorCode.AccessDenied).ToList();
        Assert.Single(lockouts);
        Assert.Contains("failed token attempts", lockouts[0].Detail, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);

        // Once the lockout is over, the right token works again.
        clock.Advance(TokenAttemptLimiter.Lockout);
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Token = Right }, TestContext.Current.CancellationToken).WithTimeout();
        await client.SendAsync("let in again", TestContext.Current.CancellationToken).WithTimeout();
        Assert.Equal(["let in again"], server.Sink.Texts);
    }

    [Fact]
    public async Task A_valid_token_costs_nothing_and_a_few_failures_lock_nobody_out()
    {
        var clock = FakeClock.Create();
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { Tokens = [Right] } };
        await using var server = await TestServer.StartAsync(options, time: clock);

        await FailAsync(clock, server.Port, Wrong);
        await FailAsync(clock, server.Port, Wrong);

        // Refilled: one failure back every 12 s; the next failure is answered at once again.
        clock.Advance(TokenAttemptLimiter.RefillEvery * TokenAttemptLimiter.Burst);
        var (third, waited) = await FailAsync(clock, server.Port, Wrong);
        Assert.Contains("not valid", third.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("answered after", third.Message, StringComparison.Ordinal);
        Assert.True(waited < TimeSpan.FromSeconds(1), $"refused after {waited.TotalSeconds} s");

        for (var i = 0; i < 10; i++)
        {
            await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Token = Right }, TestContext.Current.CancellationToken).WithTimeout();
        }

        Assert.DoesNotContain(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.AccessDenied);
    }

    /// <summary>Connects with <paramref name="token"/>, advancing the server's clock until the refusal comes; returns it and the fake time that passed.</summary>
    private static async Task<(TcpMsgException Error, TimeSpan Waited)> FailAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, int port, string token)
    {
        var connect = MessageClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default with { Token = token }, TestContext.Current.CancellationToken);
        var waited = await clock.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), () => connect.IsCompleted, "the refusal");
        var error = await Assert.ThrowsAsync<TcpMsgException>(() => connect);
        return (error, waited);
    }
}
