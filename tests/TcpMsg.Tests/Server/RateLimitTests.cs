using System.Diagnostics;
using System.Net;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>
/// Rate limits pause reading; they never drop. A message beyond the burst waits, unread, until the
/// rate allows it, even when it arrived in the same read as the burst. The timing checks are bounds
/// that hold on any machine: a lower bound (the rate forbids anything sooner) measured from before the
/// connection existed, and an upper bound on how many messages may have been delivered by a time
/// measured after they were counted.
/// </summary>
public sealed class RateLimitTests : LoopbackTest
{
    [Fact]
    public async Task A_connection_over_its_rate_is_paused_and_loses_nothing()
    {
        // 25 lines in one write against a burst of 5 at 20/s: the 25th cannot come before 1 s.
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        var started = Stopwatch.StartNew();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"burst {i}\n")));
        await server.Sink.WaitForMessagesAsync(25);

        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), $"25 messages after {started.Elapsed.TotalMilliseconds:0} ms, the rate allows them after 1 s");
        Assert.True(server.Server.Statistics.ThrottledReads >= 1);
        await client.SendAsync("after the burst\n");
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal([.. Enumerable.Range(0, 25).Select(i => $"burst {i}"), "after the burst"], server.Sink.Texts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Messages_that_arrive_in_one_read_are_held_to_the_burst_and_the_rate(bool perAddress)
    {
        // 200 lines in one write (one or two reads) against a burst of 10 at 100/s: by any moment t
        // after the connection, at most 10 + 100 t of them may have been delivered.
        var rate = new RateLimit(100, 10);
        var security = perAddress
            ? TcpMsgSecurityOptions.Default with { AddressRate = rate }
            : TcpMsgSecurityOptions.Default with { ConnectionRate = rate };
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Security = security });
        var started = Stopwatch.StartNew();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync(string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n")));

        var samples = 0;
        int delivered;
        do
        {
            delivered = server.Sink.Messages.Count;
            var allowed = rate.Burst + (rate.MessagesPerSecond * started.Elapsed.TotalSeconds) + 1;
            Assert.True(delivered <= allowed, $"{delivered} messages delivered after {started.Elapsed.TotalMilliseconds:0} ms; the rate allows {allowed:0}");
            samples++;
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
        while (delivered < 200 && started.Elapsed < TestTimeouts.Default);

        Assert.True(samples > 10, $"only {samples} samples");
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(1.8), $"200 messages after {started.Elapsed.TotalMilliseconds:0} ms, the rate allows them after 1.9 s");
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal([.. Enumerable.Range(0, 200).Select(i => $"line {i}")], server.Sink.Texts);
    }

    [Fact]
    public async Task A_confirmed_sender_is_held_to_the_rate_and_every_message_is_acknowledged()
    {
        // 25 pipelined messages (a window of 64: they arrive together) against a burst of 5 at 20/s.
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        var started = Stopwatch.StartNew();
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Window = 64 }, TestContext.Current.CancellationToken);

        for (var i = 0; i < 25; i++)
        {
            await client.EnqueueAsync($"confirmed {i}", TestContext.Current.CancellationToken);
        }

        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();

        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), $"25 acknowledged after {started.Elapsed.TotalMilliseconds:0} ms, the rate allows them after 1 s");
        Assert.Equal(25, client.Statistics.Delivered);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"confirmed {i}"), server.Sink.Texts);
    }

    [Fact]
    public async Task Connections_from_one_address_share_its_rate_and_other_addresses_are_not_slowed()
    {
        // Two connections from 127.0.0.1 with 25 lines each: 50 against one burst of 5 at 20/s take
        // 2.25 s (each alone would take 1 s). 127.0.0.2's own bucket lets its lines through at once.
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { AddressRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        var started = Stopwatch.StartNew();
        using var flooder = await RawClient.ConnectAsync(server.EndPoint);
        using var sibling = await RawClient.ConnectAsync(server.EndPoint);
        using var stranger = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));

        await flooder.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"flood {i}\n")));
        await sibling.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"sibling {i}\n")));
        await stranger.SendAsync(string.Concat(Enumerable.Range(0, 5).Select(i => $"stranger {i}\n")));
        await server.Sink.WaitForMessagesAsync(55);

        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(2), $"55 messages after {started.Elapsed.TotalMilliseconds:0} ms; 127.0.0.1's rate allows its 50 after 2.25 s");
        var texts = server.Sink.Texts;
        Assert.True(texts.IndexOf("stranger 4") < 20, string.Join(", ", texts));
        foreach (var client in new[] { flooder, sibling, stranger })
        {
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
        }

        await server.Sink.WaitForDisconnectsAsync(3);
        Assert.Equal(55, server.Sink.Messages.Count);
    }

    [Fact]
    public async Task Sending_and_closing_at_once_is_no_way_around_the_address_rate()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { AddressRate = new RateLimit(20, 5) } };
        await using var server = await TestServer.StartAsync(options);
        var started = Stopwatch.StartNew();

        // The tutorial's way, twice: send and close at once. 26 messages against a burst of 5 at
        // 20/s: the FINs do not let the last ones through before 1.05 s.
        using (var first = await RawClient.ConnectAsync(server.EndPoint))
        {
            await first.SendAsync(string.Concat(Enumerable.Range(0, 25).Select(i => $"burst {i}\n")));
            first.Close();
        }

        using (var second = await RawClient.ConnectAsync(server.EndPoint))
        {
            await second.SendAsync("sent and closed\n");
            second.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await server.Sink.WaitForMessagesAsync(26);
        }

        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), $"26 messages after {started.Elapsed.TotalMilliseconds:0} ms, the rate allows them after 1.05 s");
        Assert.Contains("sent and closed", server.Sink.Texts);
        Assert.Equal(26, server.Sink.Texts.Distinct().Count());
    }

    [Fact]
    public async Task A_connection_held_back_by_its_rate_is_busy_not_idle()
    {
        // 30 messages at 20/s with a burst of 1: reading takes about 1.5 s, three idle timeouts long.
        var options = TcpMsgServerOptions.Default with
        {
            IdleTimeout = TimeSpan.FromMilliseconds(500),
            Security = TcpMsgSecurityOptions.Default with { ConnectionRate = new RateLimit(20, 1) },
        };
        await using var server = await TestServer.StartAsync(options);
        var started = Stopwatch.StartNew();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(string.Concat(Enumerable.Range(0, 30).Select(i => $"{i}\n")));
        await server.Sink.WaitForMessagesAsync(30);

        // No FIN yet (it would end the pause at once): the connection waited, and was not closed as idle.
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(1.3), $"30 messages after {started.Elapsed.TotalMilliseconds:0} ms, the rate allows them after 1.45 s");
        Assert.Equal(0, server.Server.Statistics.IdleTimeouts);
        Assert.Empty(server.Sink.OfType<ClientDisconnected>());
        await client.SendAsync("after the pause\n");
        await server.Sink.WaitForMessagesAsync(31);
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
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
