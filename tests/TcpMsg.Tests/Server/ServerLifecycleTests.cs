using System.Net;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class ServerLifecycleTests : LoopbackTest
{
    [Fact]
    public async Task A_client_reset_mid_message_loses_nothing_else()
    {
        await using var server = await TestServer.StartAsync();
        using var bystander = await RawClient.ConnectAsync(server.EndPoint);
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("one\ntwo\n");
        await server.Sink.WaitForMessagesAsync(2);
        await client.SendAsync("half a mess");
        await Eventually.UntilAsync(() => server.Server.Statistics.BytesReceived >= 19, "the partial message to arrive");
        client.Reset();
        await bystander.SendAsync("still here\n");
        await bystander.ShutdownAndWaitForCloseAsync();
        var events = await server.Sink.WaitForDisconnectsAsync(2);

        Assert.Equal(["one", "two", "still here"], server.Sink.Texts);
        var reset = events.OfType<ClientDisconnected>().Single(d => d.Reason == TcpMsgErrorCode.PeerReset);
        Assert.Equal(11, reset.DiscardedBytes);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.IncompleteMessage && e.Value == 11);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single(d => d != reset).Reason);
    }

    [Fact]
    public async Task Graceful_shutdown_keeps_every_completed_message_and_lets_open_connections_finish()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { ShutdownTimeout = TimeSpan.FromSeconds(20) });
        using var finisher = await RawClient.ConnectAsync(server.EndPoint);
        await finisher.SendAsync("sent before the stop\n");
        await server.Sink.WaitForMessagesAsync(1);

        var stopping = server.Server.StopAsync(TestContext.Current.CancellationToken);
        await finisher.SendAsync("sent during the stop\n");
        Assert.True(await finisher.ShutdownAndWaitForCloseAsync());
        await stopping.WithTimeout();

        Assert.Equal(["sent before the stop", "sent during the stop"], server.Sink.Texts);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task Connections_still_open_at_the_shutdown_timeout_are_closed_after_their_complete_messages()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        using var lingering = await RawClient.ConnectAsync(server.EndPoint);
        var lines = string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i}\n"));
        await lingering.SendAsync(lines + "unfinished");
        await server.Sink.WaitForMessagesAsync(1000);

        await server.Server.StopAsync(TestContext.Current.CancellationToken).WithTimeout();

        Assert.Equal(1000, server.Sink.Messages.Count);
        var closed = server.Sink.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.ServerShutdown, closed.Reason);
        Assert.Equal("unfinished".Length, closed.DiscardedBytes);
        Assert.True(await lingering.WaitForServerCloseAsync());
    }

    [Fact]
    public async Task A_port_in_use_fails_with_a_clear_listen_exception()
    {
        await using var first = await TestServer.StartAsync();

        var failure = await Assert.ThrowsAsync<TcpMsgException>(() => TcpMsgServer.StartAsync(
            TcpMsgServerOptions.Default with { Endpoints = [ListenEndpoint.ForAddress(IPAddress.Loopback, first.Port)] },
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.AddressInUse, failure.Code);
        Assert.Equal($"127.0.0.1:{first.Port}", failure.Subject);
        Assert.Contains($"127.0.0.1:{first.Port}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_of_another_machine_fails_with_a_clear_listen_exception()
    {
        // TEST-NET-1 (RFC 5737) is never assigned to a local interface; binding fails without any traffic.
        var failure = await Assert.ThrowsAsync<TcpMsgException>(() => TcpMsgServer.StartAsync(
            TcpMsgServerOptions.Default with { Endpoints = [ListenEndpoint.ForAddress(IPAddress.Parse("192.0.2.1"), 0)] },
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.AddressNotAvailable, failure.Code);
    }

    [Theory]
    [InlineData("127.0.0.1", 2023, nameof(ListenEndpointKind.Address), "127.0.0.1:2023")]
    [InlineData("127.0.0.1:9000", 2023, nameof(ListenEndpointKind.Address), "127.0.0.1:9000")]
    [InlineData("[::1]:9000", 2023, nameof(ListenEndpointKind.Address), "[::1]:9000")]
    [InlineData("::1", 2023, nameof(ListenEndpointKind.Address), "[::1]:2023")]
    [InlineData("*:9000", 2023, nameof(ListenEndpointKind.Any), "*:9000")]
    [InlineData(":9000", 2023, nameof(ListenEndpointKind.Any), "*:9000")]
    [InlineData("localhost", 7, nameof(ListenEndpointKind.Localhost), "localhost:7")]
    public void Listen_addresses_parse(string text, int defaultPort, string kind, string shown)
    {
        Assert.True(ListenEndpoint.TryParse(text, defaultPort, out var endpoint, out var error), error);
        Assert.Equal(kind, endpoint!.Kind.ToString());
        Assert.Equal(shown, endpoint.ToString());
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("[::1")]
    [InlineData("1.2.3.4:port")]
    public void Bad_listen_addresses_are_rejected_with_a_reason(string text)
    {
        Assert.False(ListenEndpoint.TryParse(text, 2023, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
