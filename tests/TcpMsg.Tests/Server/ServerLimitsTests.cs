using System.Net.Sockets;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class ServerLimitsTests : LoopbackTest
{
    [Fact]
    public async Task An_oversized_message_closes_only_its_connection_and_is_reported()
    {
        const int limit = 64 * 1024;
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = limit });
        using var bystander = await RawClient.ConnectAsync(server.EndPoint);
        using var offender = await RawClient.ConnectAsync(server.EndPoint);
        await bystander.SendAsync("before\n");

        // 8 MiB without a line end: the server must not buffer it, and must close the connection.
        var flood = Task.Run(async () =>
        {
            try
            {
                await offender.SendAsync(new byte[8 * 1024 * 1024]);
            }
            catch (SocketException)
            {
                // Expected: the server closed the connection while we were still sending.
            }
        }, TestContext.Current.CancellationToken);
        await offender.WaitForServerCloseAsync();
        await flood.WithTimeout();

        await bystander.SendAsync("after\n");
        await bystander.ShutdownAndWaitForCloseAsync();
        var events = await server.Sink.WaitForDisconnectsAsync(2);

        Assert.Equal(["before", "after"], server.Sink.Texts);
        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(limit, error.Limit);
        Assert.Contains($"127.0.0.1:{offender.LocalEndPoint.Port}", error.Detail, StringComparison.Ordinal);
        var closed = events.OfType<ClientDisconnected>().Single(d => d.Connection.Id == error.Connection.Id);
        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, closed.Reason);

        // Memory stayed bounded: the server read little more than the limit plus one socket read.
        Assert.InRange(closed.BytesReceived, limit, 4 * 1024 * 1024);
        Assert.Equal(1, server.Server.Statistics.OversizedMessages);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_its_fragment_reported()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("complete\nfragment");
        Assert.True(await client.WaitForServerCloseAsync(), $"reset: {client.LastCloseError}");
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["complete"], server.Sink.Texts);
        var closed = events.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.IdleTimeout, closed.Reason);
        Assert.Equal("fragment".Length, closed.DiscardedBytes);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.IdleTimeout);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.IncompleteMessage && e.Value == "fragment".Length);
        Assert.Equal(1, server.Server.Statistics.IdleTimeouts);
    }

    [Fact]
    public async Task Refusals_still_counted_when_the_server_stops_are_reported_before_it_ends()
    {
        // On a fake clock the second in which refusals are only counted never ends by itself.
        var clock = FakeClock.Create();
        var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxConnections = 1 }, time: clock);
        try
        {
            using var first = await RawClient.ConnectAsync(server.EndPoint);
            await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Any(), what: "the first connection");
            for (var i = 0; i < 3; i++)
            {
                using var refused = await RawClient.ConnectAsync(server.EndPoint);
                Assert.True(await refused.WaitForServerCloseAsync());
            }

            await Eventually.UntilAsync(() => server.Server.Statistics.ConnectionsRefused == 3, "three refusals");
            await first.ShutdownAndWaitForCloseAsync();
            await server.Sink.WaitForDisconnectsAsync(1);
            Assert.Single(server.Sink.OfType<ConnectionError>());

            await server.Server.StopAsync(TestContext.Current.CancellationToken).WithTimeout();
        }
        finally
        {
            await server.DisposeAsync();
        }

        var reports = server.Sink.OfType<ConnectionError>();
        Assert.Equal([1L, 2], reports.Select(r => r.Value));
        Assert.All(reports, r => Assert.Equal((TcpMsgErrorCode.ConnectionLimit, 1L), (r.Code, r.Limit)));
        Assert.StartsWith("refused 2 more connections (last 127.0.0.1:", reports[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_over_the_limit_are_refused_and_reported_and_room_frees_up()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxConnections = 2 });
        using var first = await RawClient.ConnectAsync(server.EndPoint);
        using var second = await RawClient.ConnectAsync(server.EndPoint);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 2, what: "two connections");

        using var third = await RawClient.ConnectAsync(server.EndPoint);
        Assert.True(await third.WaitForServerCloseAsync());
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal");

        var refusal = events.OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.ConnectionLimit, refusal.Code);
        Assert.Equal(2, refusal.Limit);
        Assert.Equal(1, server.Server.Statistics.ConnectionsRefused);

        // The disconnect is reported a moment before the connection's layers let go of its place.
        await first.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(1);
        await Eventually.UntilAsync(
            async () =>
            {
                using var fourth = await RawClient.ConnectAsync(server.EndPoint);
                await fourth.SendAsync("room again\n");
                await fourth.ShutdownAndWaitForCloseAsync();
                return server.Sink.Texts.Contains("room again");
            },
            "a connection to be served once there is room");
    }

    [Fact]
    public async Task A_refusal_flood_is_reported_in_summaries_not_line_by_line()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxConnections = 1 });
        using var holder = await RawClient.ConnectAsync(server.EndPoint);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Any(), what: "the first connection");

        for (var i = 0; i < 50; i++)
        {
            using var refused = await RawClient.ConnectAsync(server.EndPoint);
            await refused.WaitForServerCloseAsync();
        }

        var events = await server.Sink.WaitUntilAsync(
            e => e.OfType<ConnectionError>().Sum(x => x.Value) == 50,
            what: "50 refusals counted in reports");
        Assert.InRange(events.OfType<ConnectionError>().Count(), 1, 10);
        Assert.Equal(50, server.Server.Statistics.ConnectionsRefused);
    }

    [Fact]
    public async Task A_stalled_dispatcher_stops_socket_reads_and_loses_nothing_when_it_resumes()
    {
        const long maxPending = 256 * 1024;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CollectingSink { Gate = ct => release.Task.WaitAsync(ct) };
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxPendingBytes = maxPending }, sink);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        var line = new string('m', 99) + "\n";
        const int lines = 200_000; // 20 MB: far more than the pending limit and the socket buffers together.

        // Non-blocking writes until the kernel refuses more: by then the server has stopped reading.
        client.Socket.Blocking = false;
        var payload = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, lines)));
        var offset = 0;
        while (offset < payload.Length)
        {
            var sent = client.Socket.Send(payload, offset, payload.Length - offset, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            Assert.Equal(SocketError.Success, error);
            offset += sent;
        }

        Assert.True(offset < payload.Length, "the server kept reading although nothing was dispatched");
        Assert.InRange(server.Server.Statistics.BytesReceived, 0, maxPending + (4 * 1024 * 1024));

        release.SetResult();
        client.Socket.Blocking = true;
        await client.SendAsync(payload[offset..]);
        await client.ShutdownAndWaitForCloseAsync();
        await sink.WaitForDisconnectsAsync(1, TestTimeouts.Extended);

        Assert.Equal(lines, sink.Messages.Count);
        Assert.All(sink.Messages, m => Assert.Equal(99, m.ByteCount));
    }
}
