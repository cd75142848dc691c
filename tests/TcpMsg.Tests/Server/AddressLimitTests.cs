using System.Net;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class AddressLimitTests : LoopbackTest
{
    private static readonly IPAddress s_second = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task An_address_at_its_cap_is_refused_while_other_addresses_connect_and_room_frees_up()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { MaxConnectionsPerAddress = 2 } };
        await using var server = await TestServer.StartAsync(options);
        using var first = await RawClient.ConnectAsync(server.EndPoint, s_second);
        using var second = await RawClient.ConnectAsync(server.EndPoint, s_second);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 2, what: "two connections");

        using (var third = await RawClient.ConnectAsync(server.EndPoint, s_second))
        {
            Assert.True(await third.WaitForServerCloseAsync());
        }

        using (var neighbour = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Loopback))
        {
            await neighbour.SendAsync("another address is not affected\n");
            Assert.True(await neighbour.ShutdownAndWaitForCloseAsync());
        }

        var events = await server.Sink.WaitForDisconnectsAsync(1);
        var refusal = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.AddressConnectionLimit, refusal.Code);
        Assert.Equal(2, refusal.Limit);
        Assert.Contains("127.0.0.2 already has 2 connections open", refusal.Detail, StringComparison.Ordinal);
        Assert.Equal(1, server.Server.Statistics.ConnectionsRefused);

        Assert.True(await first.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
        using var again = await RawClient.ConnectAsync(server.EndPoint, s_second);
        await again.SendAsync("room again\n");
        Assert.True(await again.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitUntilAsync(e => e.OfType<ReceivedMessage>().Any(m => m.Text == "room again"), what: "the message after room freed up");
    }
}
