using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>Slow-loris: a message that dribbles in is cut off; a client idle between messages is not.</summary>
public sealed class SlowPeerTests : LoopbackTest
{
    private static TcpMsgServerOptions MessageTimeout(TimeSpan timeout) => TcpMsgServerOptions.Default with
    {
        Security = TcpMsgSecurityOptions.Default with { MessageTimeout = timeout },
    };

    [Fact]
    public async Task A_message_dribbled_byte_by_byte_is_cut_off_but_an_idle_client_between_messages_stays()
    {
        await using var server = await TestServer.StartAsync(MessageTimeout(TimeSpan.FromMilliseconds(400)));
        using var idle = await RawClient.ConnectAsync(server.EndPoint);
        await idle.SendAsync("complete, then silence\n");
        using var dribbler = await RawClient.ConnectAsync(server.EndPoint);
        await dribbler.SendAsync("fine\n");

        var dribbled = await DribbleUntilClosedAsync(dribbler);

        var events = await server.Sink.WaitForDisconnectsAsync(1);
        var closed = events.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.MessageTimeout, closed.Reason);
        Assert.Equal(dribbler.LocalEndPoint.Port, closed.Connection.RemoteEndPoint!.Port);
        Assert.InRange(closed.DiscardedBytes, 1, dribbled);
        var error = events.OfType<ConnectionError>().First(e => e.Code == TcpMsgErrorCode.MessageTimeout);
        Assert.Contains("took longer than 0.4 s to arrive", error.Detail, StringComparison.Ordinal);
        Assert.Equal(1, server.Server.Statistics.MessageTimeouts);

        // The idle client outlived the dribbler and is still served.
        await idle.SendAsync("still here\n");
        Assert.True(await idle.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
        Assert.Equal(["complete, then silence", "fine", "still here"], server.Sink.Texts.Order(StringComparer.Ordinal));
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Last().Reason);
    }

    [Fact]
    public async Task Many_short_messages_sent_slowly_are_not_a_slow_message()
    {
        await using var server = await TestServer.StartAsync(MessageTimeout(TimeSpan.FromSeconds(1)));
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        // 30 lines, each line's two halves 30 ms apart: the exchange outlasts the 1 s limit, while
        // no single message comes near it, even on a loaded machine.
        for (var i = 0; i < 30; i++)
        {
            await client.SendAsync($"line {i}");
            await Task.Delay(30, TestContext.Current.CancellationToken);
            await client.SendAsync("\n");
            await Task.Delay(30, TestContext.Current.CancellationToken);
        }

        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(30, server.Sink.Messages.Count);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task Time_the_server_spends_not_reading_does_not_count_against_the_client()
    {
        // The dispatcher is stalled, so the server stops reading (backpressure) while a message is half in.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CollectingSink { Gate = ct => release.Task.WaitAsync(ct) };
        var timeout = TimeSpan.FromMilliseconds(300);
        var options = MessageTimeout(timeout) with { MaxPendingBytes = 1 };
        await using var server = await TestServer.StartAsync(options, sink);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("first\nhalf of the sec");

        // A second server with the same timeout is the clock: once its dribbler is cut off, the
        // timeout has certainly passed for the first one too.
        await using (var clock = await TestServer.StartAsync(MessageTimeout(timeout)))
        {
            using var dribbler = await RawClient.ConnectAsync(clock.EndPoint);
            await DribbleUntilClosedAsync(dribbler);
            await clock.Sink.WaitForDisconnectsAsync(1);
            Assert.Equal(TcpMsgErrorCode.MessageTimeout, clock.Sink.OfType<ClientDisconnected>().Single().Reason);
        }

        release.SetResult();
        await client.SendAsync("ond\n");
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        await sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["first", "half of the second"], sink.Texts);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, sink.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task A_connection_past_its_maximum_lifetime_is_closed_after_its_complete_messages()
    {
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with { MaxConnectionLifetime = TimeSpan.FromMilliseconds(300) },
        };
        await using var server = await TestServer.StartAsync(options);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("said in time\nunfinished");

        Assert.True(await client.WaitForServerCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["said in time"], server.Sink.Texts);
        var closed = events.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.LifetimeExceeded, closed.Reason);
        Assert.Equal("unfinished".Length, closed.DiscardedBytes);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.LifetimeExceeded);
    }

    /// <summary>Sends one byte every 40 ms, no line end, until the server closes; returns how many were sent.</summary>
    private static async Task<int> DribbleUntilClosedAsync(RawClient client)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        var sent = 0;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await client.SendAsync("x");
                sent++;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return sent;
            }

            await Task.Delay(40, TestContext.Current.CancellationToken);
            if (client.Socket.Poll(0, System.Net.Sockets.SelectMode.SelectRead))
            {
                return sent; // Readable with nothing to read: the server closed.
            }
        }

        throw new TimeoutException("the server never closed the dribbling connection");
    }
}
