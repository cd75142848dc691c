using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class PlainServerTests : LoopbackTest
{
    [Fact]
    public async Task The_tutorials_client_sending_without_a_line_end_and_closing_gives_one_message()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        var local = client.LocalEndPoint;

        await client.SendAsync("你好,世界!!!");
        client.Close();
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        var message = Assert.Single(events.OfType<ReceivedMessage>());
        Assert.Equal("你好,世界!!!", message.Text);
        Assert.Equal("127.0.0.1", message.Connection.Address);
        Assert.Equal($"127.0.0.1:{local.Port}", message.Connection.EndPoint);
        Assert.Equal(MessageFraming.Line, message.Framing);
        Assert.Equal(
            [ServerEventKind.Connected, ServerEventKind.Message, ServerEventKind.Disconnected],
            events.Select(e => e.Kind));
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task A_thousand_concurrent_clients_each_deliver_their_messages_exactly_once()
    {
        const int clients = 1000;

        // All from 127.0.0.1: lift the per-address cap (100 by default) that would refuse most of them.
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with { MaxConnectionsPerAddress = 0 },
        });

        // Connect all first, so that every connection is open at once, then send.
        var connected = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => RawClient.ConnectAsync(server.EndPoint)));
        await Task.WhenAll(connected.Select(async (client, i) =>
        {
            await client.SendAsync($"client {i} 第一条\nclient {i} 第二条");
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
            client.Dispose();
        })).WithTimeout(TestTimeouts.Extended);

        var events = await server.Sink.WaitForDisconnectsAsync(clients);
        var texts = events.OfType<ReceivedMessage>().Select(m => m.Text).ToList();
        var expected = Enumerable.Range(0, clients).SelectMany(i => new[] { $"client {i} 第一条", $"client {i} 第二条" });
        Assert.Equal(expected.Order(StringComparer.Ordinal), texts.Order(StringComparer.Ordinal));
        Assert.Equal(clients, server.Server.Statistics.ConnectionsAccepted);
    }

    [Fact]
    public async Task Each_connections_messages_stay_in_order_and_before_its_disconnect()
    {
        await using var server = await TestServer.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RawClient.ConnectAsync(server.EndPoint)));

        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            var lines = string.Concat(Enumerable.Range(0, 200).Select(i => $"{c}:{i}\n"));
            await client.SendAsync(lines);
            await client.ShutdownAndWaitForCloseAsync();
        }));
        var events = await server.Sink.WaitForDisconnectsAsync(clients.Length);

        foreach (var group in events.GroupBy(e => e.Connection.Id))
        {
            var kinds = group.Select(e => e.Kind).ToList();
            Assert.Equal(ServerEventKind.Connected, kinds[0]);
            Assert.Equal(ServerEventKind.Disconnected, kinds[^1]);
            var numbers = group.OfType<ReceivedMessage>().Select(m => int.Parse(m.Text.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, 200), numbers);
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task An_idle_client_and_a_half_sent_line_hold_nobody_up()
    {
        await using var server = await TestServer.StartAsync();
        using var idle = await RawClient.ConnectAsync(server.EndPoint);
        using var halfway = await RawClient.ConnectAsync(server.EndPoint);
        await halfway.SendAsync("no line end yet");

        using var active = await RawClient.ConnectAsync(server.EndPoint);
        await active.SendAsync("from the active client\n");
        await server.Sink.WaitUntilAsync(e => e.OfType<ReceivedMessage>().Any(m => m.Text == "from the active client"));
        await active.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["from the active client"], server.Sink.Texts);
        Assert.Equal(2, server.Server.Statistics.ActiveConnections);
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(1024 * 1024)]
    public async Task Large_messages_arrive_intact(int size)
    {
        await using var server = await TestServer.StartAsync();
        var text = BuildText(size);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(text + "\n");
        await client.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(1);

        var message = Assert.Single(server.Sink.Messages);
        Assert.Equal(size, message.ByteCount);
        Assert.Equal(text, message.Text);
    }

    [Fact]
    public async Task Invalid_utf8_is_shown_with_replacement_characters_reported_and_the_connection_goes_on()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync([.. "bad "u8, 0xFF, 0xC3, (byte)'\n', .. "good 好\n"u8]);
        await client.ShutdownAndWaitForCloseAsync();
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["bad \uFFFD\uFFFD", "good 好"], server.Sink.Texts);
        var bad = server.Sink.Messages[0];
        Assert.False(bad.IsValidUtf8);
        Assert.Equal([.. "bad "u8, 0xFF, 0xC3], bad.RawBytes);
        Assert.Single(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.InvalidUtf8);
        Assert.Equal(1, server.Server.Statistics.InvalidUtf8Messages);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task Whole_framing_makes_a_multi_line_text_one_message()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Framing = MessageFraming.Whole });
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("第一行\n第二行\r\n");
        await client.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(1);

        var message = Assert.Single(server.Sink.Messages);
        Assert.Equal("第一行\n第二行\r\n", message.Text);
        Assert.Equal(MessageFraming.Whole, message.Framing);
    }

    [Fact]
    public async Task Ipv4_clients_of_a_dual_stack_listener_show_as_ipv4_and_ipv6_clients_in_brackets()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "IPv6 is not available on this machine");
        await using var server = await TestServer.StartAsync(endpoint: ListenEndpoint.Any(0));

        using var v4 = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        await v4.SendAsync("over IPv4\n");
        await v4.ShutdownAndWaitForCloseAsync();
        using var v6 = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, server.Port));
        await v6.SendAsync("over IPv6\n");
        await v6.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(2);

        var byText = server.Sink.Messages.ToDictionary(m => m.Text);
        Assert.Equal("127.0.0.1", byText["over IPv4"].Connection.Address);
        Assert.Equal($"127.0.0.1:{v4.LocalEndPoint.Port}", byText["over IPv4"].Connection.EndPoint);
        Assert.Equal("::1", byText["over IPv6"].Connection.Address);
        Assert.Equal($"[::1]:{v6.LocalEndPoint.Port}", byText["over IPv6"].Connection.EndPoint);
    }

    [Fact]
    public async Task The_hook_receives_each_message_with_peer_time_and_text()
    {
        var sink = new CollectingSink();
        var before = DateTimeOffset.UtcNow;
        await using var server = await TestServer.StartAsync(sink: sink);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("hook\n");
        await client.ShutdownAndWaitForCloseAsync();
        await sink.WaitForMessagesAsync(1);

        var message = sink.Messages.Single();
        Assert.InRange(message.Timestamp, before, DateTimeOffset.UtcNow);
        Assert.Equal(TimeSpan.Zero, message.Timestamp.Offset);
        Assert.Equal(client.LocalEndPoint.Port, message.Connection.RemoteEndPoint!.Port);
    }

    internal static string BuildText(int utf8Bytes)
    {
        // Mix 1- and 3-byte characters; pad with ASCII to hit the exact size.
        var builder = new StringBuilder();
        var bytes = 0;
        var i = 0;
        while (bytes + 3 <= utf8Bytes)
        {
            var c = i++ % 4 == 0 ? '字' : (char)('a' + (i % 26));
            builder.Append(c);
            bytes += c < 0x80 ? 1 : 3;
        }

        builder.Append('x', utf8Bytes - bytes);
        return builder.ToString();
    }
}
