using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Transport;

/// <summary>
/// Each limit through the one admission lease, on loopback and a fake clock: the connection limit, the
/// per-address cap, the rate buckets, and the rebinding to the client a PROXY header names. The gate's
/// count is what is checked: a lease taken at accept, given back once when the connection ends.
/// </summary>
public sealed class AdmissionLeaseTests : LoopbackTest
{
    private static readonly IPAddress s_second = IPAddress.Parse("127.0.0.2");
    private static readonly IPEndPoint s_frontend = IPEndPoint.Parse("198.51.100.1:2023");

    [Fact]
    public async Task The_connection_limit_counts_one_lease_per_connection_from_accept_to_its_end()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxConnections = 2 }, time: FakeClock.Create());
        var gate = Gate(server);
        using var first = await RawClient.ConnectAsync(server.EndPoint);
        using var second = await RawClient.ConnectAsync(server.EndPoint);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 2, what: "two connections");
        Assert.Equal(2, gate.Count);

        using (var third = await RawClient.ConnectAsync(server.EndPoint))
        {
            Assert.True(await third.WaitForServerCloseAsync());
        }

        var refusal = (await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal")).OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.ConnectionLimit, refusal.Code);
        Assert.Equal(2, refusal.Limit);
        Assert.Equal(2, gate.Count);

        Assert.True(await first.ShutdownAndWaitForCloseAsync());
        await Eventually.UntilAsync(() => gate.Count == 1, "the first lease to be given back");
        using var fourth = await RawClient.ConnectAsync(server.EndPoint);
        await fourth.SendAsync("room again\n");
        Assert.True(await fourth.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForMessagesAsync(1);
        Assert.True(await second.ShutdownAndWaitForCloseAsync());
        await Eventually.UntilAsync(() => gate.Count == 0, "every lease to be given back");
        Assert.Equal(1, server.Server.Statistics.ConnectionsRefused);
    }

    [Fact]
    public async Task The_per_address_cap_counts_each_address_in_its_lease()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { MaxConnectionsPerAddress = 1 } };
        await using var server = await TestServer.StartAsync(options, time: FakeClock.Create());
        var addresses = server.Server.Services.GetRequiredService<AddressTable>();
        using var held = await RawClient.ConnectAsync(server.EndPoint, s_second);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Any(), what: "the first connection");

        using (var over = await RawClient.ConnectAsync(server.EndPoint, s_second))
        {
            Assert.True(await over.WaitForServerCloseAsync());
        }

        using (var neighbour = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Loopback))
        {
            await neighbour.SendAsync("another address\n");
            Assert.True(await neighbour.ShutdownAndWaitForCloseAsync());
        }

        // Events reach the sink after the dispatcher: wait for them rather than read the sink at once.
        await server.Sink.WaitForMessagesAsync(1);
        var refusal = (await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal")).OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.AddressConnectionLimit, refusal.Code);
        Assert.Equal("127.0.0.2", refusal.Connection.Address);
        Assert.Equal(["another address"], server.Sink.Texts);

        // Given back when the connection ends: the address is forgotten and may connect again.
        Assert.True(await held.ShutdownAndWaitForCloseAsync());
        await Eventually.UntilAsync(() => Gate(server).Count == 0 && addresses.Count == 0, "the address's entry to be given back");
        using var again = await RawClient.ConnectAsync(server.EndPoint, s_second);
        await again.SendAsync("room again\n");
        Assert.True(await again.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForMessagesAsync(2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_rate_buckets_of_the_lease_hold_messages_until_the_fake_clock_refills_them(bool perAddress)
    {
        // A burst of 5 at 10 per second: of 8 lines, 5 come at once, the others only once time passes.
        var clock = FakeClock.Create();
        var rate = new RateLimit(10, 5);
        var security = perAddress
            ? TcpMsgSecurityOptions.Default with { AddressRate = rate }
            : TcpMsgSecurityOptions.Default with { ConnectionRate = rate };
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Security = security }, time: clock);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync(string.Concat(Enumerable.Range(0, 8).Select(i => $"line {i}\n")));

        await server.Sink.WaitForMessagesAsync(5);
        await Eventually.UntilAsync(() => server.Server.Statistics.ThrottledReads >= 1, "the read to be held");
        Assert.Equal(5, server.Sink.Messages.Count);

        // With a rate per address, a second connection from the same address draws from the same bucket.
        using var other = await RawClient.ConnectAsync(server.EndPoint);
        await other.SendAsync("from the second connection\n");
        if (!perAddress)
        {
            await server.Sink.WaitForMessagesAsync(6);
        }

        var passed = await clock.AdvanceUntilAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), () => server.Sink.Messages.Count == 9, "the held lines");

        Assert.True(passed >= TimeSpan.FromMilliseconds(perAddress ? 350 : 250), $"all lines after {passed.TotalMilliseconds} ms of fake time");
        Assert.Equal([.. Enumerable.Range(0, 8).Select(i => $"line {i}")], server.Sink.Texts.Where(t => t.StartsWith("line", StringComparison.Ordinal)));
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
        Assert.True(await other.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
    }

    [Fact]
    public async Task A_proxy_header_rebinds_the_lease_to_the_client_it_names()
    {
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with
            {
                TrustedProxies = [IPNetwork.Parse("127.0.0.1/32")],
                MaxConnectionsPerAddress = 1,
            },
        };
        await using var server = await TestServer.StartAsync(options, time: FakeClock.Create());
        var addresses = server.Server.Services.GetRequiredService<AddressTable>();

        // Three connections from the one proxy address, under a cap of one per address: the clients count.
        var alice = IPEndPoint.Parse("192.0.2.10:1000");
        using var first = await RawClient.ConnectAsync(server.EndPoint);
        await first.SendAsync([.. ProxyHeaderWriter.V1(alice, s_frontend), .. "alice\n"u8]);
        using var second = await RawClient.ConnectAsync(server.EndPoint);
        await second.SendAsync([.. ProxyHeaderWriter.V1(IPEndPoint.Parse("192.0.2.11:1000"), s_frontend), .. "bob\n"u8]);
        await server.Sink.WaitForMessagesAsync(2);
        Assert.Equal(2, addresses.Count);

        using (var twice = await RawClient.ConnectAsync(server.EndPoint))
        {
            await twice.SendAsync([.. ProxyHeaderWriter.V1(IPEndPoint.Parse("192.0.2.10:1001"), s_frontend), .. "alice twice\n"u8]);
            Assert.True(await twice.WaitForServerCloseAsync());
        }

        var refusal = (await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal")).OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.AddressConnectionLimit, refusal.Code);
        Assert.Equal("192.0.2.10", refusal.Connection.Address);
        Assert.Equal(1, server.Server.Statistics.ConnectionsRefused);
        await Eventually.UntilAsync(() => Gate(server).Count == 2, "the refused lease to be given back");

        // Alice's connection ends: her place is given back, and she may come again through the proxy.
        Assert.True(await first.ShutdownAndWaitForCloseAsync());
        await Eventually.UntilAsync(() => addresses.Count == 1, "alice's entry to be given back");
        using var back = await RawClient.ConnectAsync(server.EndPoint);
        await back.SendAsync([.. ProxyHeaderWriter.V1(alice, s_frontend), .. "alice again\n"u8]);
        Assert.True(await back.ShutdownAndWaitForCloseAsync());
        Assert.True(await second.ShutdownAndWaitForCloseAsync());
        await Eventually.UntilAsync(() => Gate(server).Count == 0 && addresses.Count == 0, "every lease to be given back");

        // The close can reach the client before the sink has the message: wait for it, do not race it.
        await server.Sink.WaitForMessagesAsync(3);
        Assert.Equal(["alice", "alice again", "bob"], server.Sink.Texts.Order(StringComparer.Ordinal));
    }

    private static AdmissionGate Gate(TestServer server) => server.Server.Services.GetRequiredService<AdmissionGate>();
}
