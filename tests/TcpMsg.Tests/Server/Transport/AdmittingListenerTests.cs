using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Server;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

/// <summary>
/// The transport under tcpmsg's endpoints: a peer refused by address is closed at accept and never
/// handed to Kestrel as a connection; the others are, in order. Real sockets on loopback.
/// </summary>
public sealed class AdmittingListenerTests : LoopbackTest
{
    private static readonly IPAddress s_denied = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task A_denied_peer_never_becomes_a_connection()
    {
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with { Deny = [IPNetwork.Parse("127.0.0.2/32")] },
        };
        await using var services = await StartServicesAsync(options);
        var statistics = services.GetRequiredService<ServerStatistics>();
        await using var listener = await BindAsync(services);

        using var denied = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, s_denied);
        using var allowed = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);

        // The denied peer connected first; the first connection Kestrel gets is the allowed one.
        await using var first = await listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotNull(first);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)first.RemoteEndPoint!).Address);
        Assert.True(await denied.WaitForServerCloseAsync());
        Assert.Equal(1, statistics.ConnectionsDenied);
    }

    [Fact]
    public async Task A_peer_at_its_address_cap_is_refused_at_accept_and_counted_once()
    {
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { MaxConnectionsPerAddress = 1 } };
        await using var services = await StartServicesAsync(options);
        var statistics = services.GetRequiredService<ServerStatistics>();
        var addresses = services.GetRequiredService<AddressTable>();
        await using var listener = await BindAsync(services);

        // One connection of 127.0.0.2 is counted, as the gate counts it for a served connection.
        Assert.True(addresses.TryAcquire(s_denied, 1, out var entry));
        using var over = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, s_denied);
        using var other = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);

        await using var first = await listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)first!.RemoteEndPoint!).Address);
        Assert.True(await over.WaitForServerCloseAsync());
        Assert.Equal(1, statistics.ConnectionsRefused);

        // Once the address is under its cap again, it is let through.
        addresses.Release(entry);
        using var again = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, s_denied);
        await using var second = await listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(s_denied, ((IPEndPoint)second!.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task The_connection_limit_counts_from_accept_until_the_lease_is_given_back()
    {
        await using var services = await StartServicesAsync(TcpMsgServerOptions.Default with { MaxConnections = 1 });
        var statistics = services.GetRequiredService<ServerStatistics>();
        var gate = services.GetRequiredService<AdmissionGate>();
        await using var listener = await BindAsync(services);

        // No handler has run for the first connection yet: it counts all the same.
        using var first = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);
        await using var served = await listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        using var second = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);
        var pending = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.True(await second.WaitForServerCloseAsync());
        Assert.Equal(1, statistics.ConnectionsRefused);
        Assert.False(pending.IsCompleted);

        // The lease came with the connection; given back twice, it counts once.
        var lease = served!.Features.Get<AdmissionLease>();
        Assert.NotNull(lease);
        Assert.Equal(1, gate.Count);
        lease.Dispose();
        lease.Dispose();
        Assert.Equal(0, gate.Count);
        using var third = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);
        await using var next = await pending.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotNull(next);
        using var fourth = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);
        var after = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.True(await fourth.WaitForServerCloseAsync());
        Assert.Equal(2, statistics.ConnectionsRefused);
        Assert.False(after.IsCompleted);
    }

    [Fact]
    public async Task Peers_that_reset_at_once_do_not_stop_accepting()
    {
        await using var services = await StartServicesAsync(TcpMsgServerOptions.Default);
        await using var listener = await BindAsync(services);
        for (var i = 0; i < 20; i++)
        {
            (await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback)).Reset();
        }

        using var client = await RawClient.ConnectAsync((IPEndPoint)listener.EndPoint, IPAddress.Loopback);
        await Eventually.UntilAsync(
            async () =>
            {
                await using var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
                return accepted?.RemoteEndPoint is IPEndPoint peer && peer.Port == client.LocalEndPoint.Port;
            },
            "the last client to be accepted after the resets");
    }

    [Fact]
    public void Only_tcpmsg_endpoints_are_bound_by_the_admitting_factory()
    {
        var endpoints = new GatedEndpoints();
        endpoints.Add(new IPEndPoint(IPAddress.IPv6Any, 2023), tls: false);
        endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0), tls: false);

        Assert.True(endpoints.Contains(new IPEndPoint(IPAddress.IPv6Any, 2023)));
        Assert.True(endpoints.Contains(new IPEndPoint(IPAddress.Any, 2023)));
        Assert.True(endpoints.Contains(new IPEndPoint(IPAddress.IPv6Loopback, 0)));
        Assert.False(endpoints.Contains(new IPEndPoint(IPAddress.Any, 8080)));
        Assert.False(endpoints.Contains(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 2023)));
    }

    /// <summary>The server's services, with the hosted ones that load the access rules started.</summary>
    private static async Task<ServiceProvider> StartServicesAsync(TcpMsgServerOptions options)
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddTcpMsgServer(options);
        var services = collection.BuildServiceProvider();
        await services.GetRequiredService<AccessPolicySource>().StartingAsync(TestContext.Current.CancellationToken);
        return services;
    }

    private static async Task<IConnectionListener> BindAsync(IServiceProvider services)
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        services.GetRequiredService<GatedEndpoints>().Add(endpoint, tls: false);
        var factory = services.GetServices<IConnectionListenerFactory>().OfType<AdmittingListenerFactory>().Single();
        Assert.True(factory.CanBind(endpoint));
        return await factory.BindAsync(endpoint, TestContext.Current.CancellationToken);
    }
}
