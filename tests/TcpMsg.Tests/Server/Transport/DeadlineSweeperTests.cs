using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Transport;

/// <summary>
/// Each deadline of the one sweeper (idle, HELLO, message, lifetime) and the PROXY layer's handshake,
/// on a fake clock: real sockets, no real seconds. A connection is closed only once the fake time
/// that passed is at least its deadline, and for the reason of that deadline.
/// </summary>
public sealed class DeadlineSweeperTests : LoopbackTest
{
    private static readonly TimeSpan s_step = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_of_fake_time()
    {
        var clock = FakeClock.Create();
        var idle = TimeSpan.FromSeconds(30);
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { IdleTimeout = idle }, time: clock);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("complete\nfragment");
        await server.Sink.WaitForMessagesAsync(1);

        var passed = await clock.AdvanceUntilAsync(s_step, s_limit, () => server.Sink.OfType<ClientDisconnected>().Count == 1, "the idle close");

        Assert.True(passed >= idle, $"closed after {passed.TotalSeconds} s of fake time; the idle timeout is {idle.TotalSeconds} s");
        Assert.True(await client.WaitForServerCloseAsync());
        var closed = server.Sink.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.IdleTimeout, closed.Reason);
        Assert.Equal("fragment".Length, closed.DiscardedBytes);
        Assert.Contains(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.IdleTimeout);
        Assert.Equal(1, server.Server.Statistics.IdleTimeouts);
    }

    [Fact]
    public async Task A_client_that_keeps_sending_is_never_idle_however_long_it_stays()
    {
        var clock = FakeClock.Create();
        var idle = TimeSpan.FromSeconds(30);
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { IdleTimeout = idle }, time: clock);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        // Ten lines 20 s apart: 200 s in all, never 30 s without a line.
        for (var i = 0; i < 10; i++)
        {
            await client.SendAsync($"{i}\n");
            await server.Sink.WaitForMessagesAsync(i + 1);
            clock.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
        Assert.Equal(10, server.Sink.Messages.Count);
    }

    [Fact]
    public async Task A_dribbled_message_is_cut_off_at_the_message_timeout_while_a_client_idle_between_messages_stays()
    {
        var clock = FakeClock.Create();
        var timeout = TimeSpan.FromSeconds(10);
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { MessageTimeout = timeout } };
        await using var server = await TestServer.StartAsync(options, time: clock);
        using var idle = await RawClient.ConnectAsync(server.EndPoint);
        await idle.SendAsync("complete, then silence\n");
        using var dribbler = await RawClient.ConnectAsync(server.EndPoint);
        await dribbler.SendAsync("fine\n");
        await server.Sink.WaitForMessagesAsync(2);

        // One byte of a message that never ends, then another after each second of fake time.
        var passed = TimeSpan.Zero;
        while (server.Sink.OfType<ClientDisconnected>().Count == 0)
        {
            Assert.True(passed <= s_limit, "the dribbler was never cut off");
            var received = server.Server.Statistics.BytesReceived;
            try
            {
                await dribbler.SendAsync("x");
            }
            catch (SocketException)
            {
                break; // Closed by the server meanwhile.
            }

            await Eventually.UntilAsync(
                () => server.Server.Statistics.BytesReceived > received || server.Sink.OfType<ClientDisconnected>().Count > 0,
                "the byte to arrive");
            clock.Advance(TimeSpan.FromSeconds(1));
            passed += TimeSpan.FromSeconds(1);
        }

        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.True(passed >= timeout, $"cut off after {passed.TotalSeconds} s of fake time; the message timeout is {timeout.TotalSeconds} s");
        var closed = server.Sink.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.MessageTimeout, closed.Reason);
        Assert.Equal(dribbler.LocalEndPoint.Port, closed.Connection.RemoteEndPoint!.Port);
        Assert.Contains(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.MessageTimeout);
        Assert.Equal(1, server.Server.Statistics.MessageTimeouts);

        // The idle client outlived the dribbler by far and is still served.
        await idle.SendAsync("still here\n");
        Assert.True(await idle.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Last().Reason);
    }

    [Fact]
    public async Task A_connection_past_its_lifetime_is_closed_after_its_complete_messages()
    {
        var clock = FakeClock.Create();
        var lifetime = TimeSpan.FromSeconds(30);
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { MaxConnectionLifetime = lifetime } };
        await using var server = await TestServer.StartAsync(options, time: clock);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("said in time\nunfinished");
        await server.Sink.WaitForMessagesAsync(1);

        var passed = await clock.AdvanceUntilAsync(s_step, s_limit, () => server.Sink.OfType<ClientDisconnected>().Count == 1, "the lifetime close");

        Assert.True(passed >= lifetime, $"closed after {passed.TotalSeconds} s of fake time; the lifetime is {lifetime.TotalSeconds} s");
        Assert.True(await client.WaitForServerCloseAsync());
        var closed = server.Sink.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.LifetimeExceeded, closed.Reason);
        Assert.Equal("unfinished".Length, closed.DiscardedBytes);
        Assert.Equal(["said in time"], server.Sink.Texts);
        Assert.Contains(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.LifetimeExceeded);
    }

    [Fact]
    public async Task A_confirmed_client_without_hello_is_closed_at_the_handshake_timeout_and_one_with_hello_stays()
    {
        var clock = FakeClock.Create();
        var timeout = TimeSpan.FromSeconds(10);
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { HandshakeTimeout = timeout } };
        await using var server = await TestServer.StartAsync(options, time: clock);
        await using var greeted = await FrameClient.ConnectAsync(server.EndPoint, clientId: "greeted");
        await using var silent = await FrameClient.ConnectAsync(server.EndPoint);
        await silent.SendAsync([.. ConfirmedPreamble.Bytes]);
        Assert.Equal(FrameType.Welcome, (await greeted.ReadFrameAsync())?.Type);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 2, what: "both connections");

        var passed = await clock.AdvanceUntilAsync(s_step, s_limit, () => server.Sink.OfType<ClientDisconnected>().Count == 1, "the handshake close");

        Assert.True(passed >= timeout, $"closed after {passed.TotalSeconds} s of fake time; the handshake timeout is {timeout.TotalSeconds} s");
        Assert.Null(await silent.ReadFrameAsync());
        var closed = server.Sink.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.HandshakeTimeout, closed.Reason);
        Assert.Contains(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.HandshakeTimeout && e.Detail.Contains("no HELLO within 10 s", StringComparison.Ordinal));

        // The client that said HELLO in time is served long after the handshake timeout.
        clock.Advance(timeout * 3);
        await greeted.SendMessageAsync(1, "long after the handshake");
        await server.Sink.WaitForMessagesAsync(1);
        Assert.Equal(["long after the handshake"], server.Sink.Texts);
    }

    [Fact]
    public async Task A_proxy_that_sends_no_complete_header_is_closed_at_the_handshake_timeout()
    {
        var clock = FakeClock.Create();
        var timeout = TimeSpan.FromSeconds(10);
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with
            {
                HandshakeTimeout = timeout,
                TrustedProxies = [System.Net.IPNetwork.Parse("127.0.0.1/32")],
            },
        };
        await using var server = await TestServer.StartAsync(options, time: clock);
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);
        await proxy.SendAsync("PROXY TCP4 203.0.113.7");
        await Eventually.UntilAsync(() => GateCount(server) == 1, "the proxy's connection");

        var passed = await clock.AdvanceUntilAsync(s_step, s_limit, () => server.Sink.OfType<ConnectionError>().Count > 0, "the handshake close");

        Assert.True(passed >= timeout, $"closed after {passed.TotalSeconds} s of fake time; the handshake timeout is {timeout.TotalSeconds} s");
        Assert.True(await proxy.WaitForServerCloseAsync());
        Assert.Equal(TcpMsgErrorCode.HandshakeTimeout, server.Sink.OfType<ConnectionError>().Single().Code);
        await Eventually.UntilAsync(() => GateCount(server) == 0, "the lease to be given back");
    }

    private static int GateCount(TestServer server) => server.Server.Services.GetRequiredService<AdmissionGate>().Count;
}
