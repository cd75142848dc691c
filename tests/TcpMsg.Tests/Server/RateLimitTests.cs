using System.Diagnostics;
using System.Net;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>
/// Rate limits pause reading; they never drop. The timing checks are lower bounds only (a pause must
/// have happened), so a slow machine cannot make them fail.
/// </summary>
public sealed class RateLimitTests : LoopbackTest
{
    [Fact]
    public async Task A_connection_over_its_rate_is_paused_and_loses_nothing()
    {
        // 25 lines against a burst of 5 at 20/s: 20 in debt, so reading pauses for about a second.
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"burst {i}\n")));
        await server.Sink.WaitForMessagesAsync(25);
        var paused = Stopwatch.StartNew();
        await client.SendAsync("after the pause\n");
        await server.Sink.WaitForMessagesAsync(26);

        Assert.True(paused.Elapsed >= TimeSpan.FromSeconds(0.8), $"read again after {paused.Elapsed.TotalMilliseconds:0} ms, expected a pause of about 1 s");
        Assert.True(server.Server.Statistics.ThrottledReads >= 1);
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal([.. Enumerable.Range(0, 25).Select(i => $"burst {i}"), "after the pause"], server.Sink.Texts);
    }

    [Fact]
    public async Task Connections_from_one_address_share_its_rate_and_other_addresses_are_not_slowed()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { AddressRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        using var flooder = await RawClient.ConnectAsync(server.EndPoint);
        using var sibling = await RawClient.ConnectAsync(server.EndPoint);
        using var stranger = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));

        await flooder.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"flood {i}\n")));
        await server.Sink.WaitForMessagesAsync(25);
        await sibling.SendAsync("sibling\n");
        await stranger.SendAsync("stranger\n");
        await server.Sink.WaitForMessagesAsync(27);

        // The sibling waits for 127.0.0.1's debt to be repaid; 127.0.0.2 has its own bucket.
        var texts = server.Sink.Texts;
        Assert.True(texts.IndexOf("stranger") < texts.IndexOf("sibling"), string.Join(", ", texts.Skip(25)));
        foreach (var client in new[] { flooder, sibling, stranger })
        {
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
        }

        await server.Sink.WaitForDisconnectsAsync(3);
        Assert.Equal(27, server.Sink.Messages.Count);
    }

    [Fact]
    public async Task Sending_and_closing_at_once_is_no_way_around_the_address_rate()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { AddressRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);

        // The tutorial's way, twice: send and close. The second connection waits for the first's debt.
        using (var first = await RawClient.ConnectAsync(server.EndPoint))
        {
            await first.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"burst {i}\n")));
            first.Close();
        }

        await server.Sink.WaitForMessagesAsync(25);
        var paused = Stopwatch.StartNew();
        using (var second = await RawClient.ConnectAsync(server.EndPoint))
        {
            await second.SendAsync("sent and closed\n");
            second.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await server.Sink.WaitForMessagesAsync(26);
        }

        Assert.True(paused.Elapsed >= TimeSpan.FromSeconds(0.8), $"delivered after {paused.Elapsed.TotalMilliseconds:0} ms, expected a pause of about 1 s");
        Assert.Equal("sent and closed", server.Sink.Texts[^1]);
    }

    [Fact]
    public async Task A_connection_held_back_by_its_rate_is_busy_not_idle()
    {
        // 30 messages at 20/s with a burst of 1: reading pauses about 1.5 s, three idle timeouts long.
        var options = TcpMsgServerOptions.Default with
        {
            IdleTimeout = TimeSpan.FromMilliseconds(500),
            Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(20, 1) },
        };
        await using var server = await TestServer.StartAsync(options);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(string.Concat(Enumerable.Range(0, 30).Select(i => $"{i}\n")));
        await server.Sink.WaitForMessagesAsync(30);
        var paused = Stopwatch.StartNew();
        await client.SendAsync("after the pause\n");
        await server.Sink.WaitForMessagesAsync(31);

        // No FIN yet (it would end the pause at once): the connection waited, and was not closed as idle.
        Assert.True(paused.Elapsed >= TimeSpan.FromSeconds(1), $"read again after {paused.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, server.Server.Statistics.IdleTimeouts);
        Assert.Empty(server.Sink.OfType<ClientDisconnected>());
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(DisconnectReason.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task A_throttled_connection_still_closes_promptly_on_shutdown()
    {
        var options = TcpMsgServerOptions.Default with
        {
            ShutdownTimeout = TimeSpan.Zero,
            Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(1, 1) },
        };
        var server = await TestServer.StartAsync(options);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync(string.Concat(Enumerable.Range(0, 100).Select(i => $"{i}\n")));
        await server.Sink.WaitForMessagesAsync(1);

        // 100 s of debt; stopping must not wait for it.
        var stopping = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {stopping.Elapsed}");
        Assert.True(await client.WaitForServerCloseAsync());
    }
}
