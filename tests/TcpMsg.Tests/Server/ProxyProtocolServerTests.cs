using System.Net;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>The test plays the load balancer: it connects from 127.0.0.1 and announces a client with a PROXY header.</summary>
public sealed class ProxyProtocolServerTests : LoopbackTest
{
    private static readonly IPEndPoint s_client = IPEndPoint.Parse("203.0.113.7:40000");
    private static readonly IPEndPoint s_frontend = IPEndPoint.Parse("198.51.100.1:2023");

    private static TcpMsgServerOptions Behind(string trusted = "127.0.0.1/32", Func<TcpMsgSecurityOptions, TcpMsgSecurityOptions>? more = null)
    {
        var security = TcpMsgSecurityOptions.Default with
        {
            TrustedProxies = [IPNetwork.Parse(trusted)],
            RefusalReportInterval = TimeSpan.FromMilliseconds(200),
        };
        return TcpMsgServerOptions.Default with { Security = more?.Invoke(security) ?? security };
    }

    [Fact]
    public async Task A_v1_header_from_a_trusted_proxy_makes_the_announced_client_the_peer()
    {
        await using var server = await TestServer.StartAsync(Behind());
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);

        await proxy.SendAsync([.. ProxyHeaderWriter.V1(s_client, s_frontend), .. "from behind the balancer\n"u8]);
        Assert.True(await proxy.ShutdownAndWaitForCloseAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        var connection = Assert.Single(server.Sink.Messages).Connection;
        Assert.Equal("from behind the balancer", server.Sink.Texts.Single());
        Assert.Equal("203.0.113.7", connection.Address);
        Assert.Equal("203.0.113.7:40000", connection.EndPoint);
        Assert.Equal(s_frontend, connection.LocalEndPoint);
        Assert.Equal(proxy.LocalEndPoint, connection.ProxyEndPoint);
        Assert.All(events, e => Assert.Equal("203.0.113.7:40000", e.Connection.EndPoint));
    }

    [Fact]
    public async Task A_v2_header_with_an_ipv6_client_and_tlvs_works_too()
    {
        await using var server = await TestServer.StartAsync(Behind());
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);
        var client = IPEndPoint.Parse("[2001:db8::7]:5555");

        await proxy.SendAsync([.. ProxyHeaderWriter.V2(client, IPEndPoint.Parse("[2001:db8::1]:2023"), [(0x05, new byte[16])], crc: true), .. "v6 client\n"u8]);
        Assert.True(await proxy.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal("[2001:db8::7]:5555", server.Sink.Messages.Single().Connection.EndPoint);
    }

    [Fact]
    public async Task A_local_header_from_a_health_check_keeps_the_proxys_own_address()
    {
        await using var server = await TestServer.StartAsync(Behind());
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);

        await proxy.SendAsync([.. ProxyHeaderWriter.V2(null, null), .. "health\n"u8]);
        Assert.True(await proxy.ShutdownAndWaitForCloseAsync());
        await server.Sink.WaitForDisconnectsAsync(1);

        var connection = server.Sink.Messages.Single().Connection;
        Assert.Equal(proxy.LocalEndPoint, connection.RemoteEndPoint);
        Assert.Null(connection.ProxyEndPoint);
    }

    [Fact]
    public async Task A_peer_that_is_not_a_trusted_proxy_is_refused_whatever_it_claims()
    {
        await using var server = await TestServer.StartAsync(Behind());
        using var impostor = await RawClient.ConnectAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));

        await impostor.SendAsync([.. ProxyHeaderWriter.V1(s_client, s_frontend), .. "spoofed\n"u8]);
        await impostor.WaitForServerCloseAsync();
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal");

        var error = events.OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.AccessDenied, error.Code);
        Assert.Equal("127.0.0.2", error.Connection.Address);
        Assert.Contains("127.0.0.2 is not a trusted proxy", error.Detail, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task Access_rules_and_per_address_limits_judge_the_real_client_not_the_proxy()
    {
        var options = Behind(more: s => s with
        {
            Deny = [IPNetwork.Parse("203.0.113.0/24")],
            MaxConnectionsPerAddress = 1,
        });
        await using var server = await TestServer.StartAsync(options);

        using (var denied = await RawClient.ConnectAsync(server.EndPoint))
        {
            await denied.SendAsync([.. ProxyHeaderWriter.V1(s_client, s_frontend), .. "denied\n"u8]);
            await denied.WaitForServerCloseAsync();
        }

        // Two clients through the one proxy address: each has its own count.
        var alice = IPEndPoint.Parse("192.0.2.10:1000");
        var bob = IPEndPoint.Parse("192.0.2.11:1000");
        using var first = await RawClient.ConnectAsync(server.EndPoint);
        await first.SendAsync([.. ProxyHeaderWriter.V1(alice, s_frontend), .. "alice\n"u8]);
        using var second = await RawClient.ConnectAsync(server.EndPoint);
        await second.SendAsync([.. ProxyHeaderWriter.V1(bob, s_frontend), .. "bob\n"u8]);
        await server.Sink.WaitForMessagesAsync(2);
        using (var again = await RawClient.ConnectAsync(server.EndPoint))
        {
            await again.SendAsync([.. ProxyHeaderWriter.V1(IPEndPoint.Parse("192.0.2.10:1001"), s_frontend), .. "alice twice\n"u8]);
            await again.WaitForServerCloseAsync();
        }

        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Count() == 2, what: "two refusals");
        Assert.Equal(["alice", "bob"], server.Sink.Texts.Order(StringComparer.Ordinal));
        var errors = events.OfType<ConnectionError>().ToList();
        Assert.Contains(errors, e => e.Code == TcpMsgErrorCode.AccessDenied && e.Detail.Contains("203.0.113.7 matches the deny rule", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Code == TcpMsgErrorCode.AddressConnectionLimit && e.Connection.Address == "192.0.2.10");
    }

    [Fact]
    public async Task A_malformed_header_closes_the_connection_with_the_reason()
    {
        await using var server = await TestServer.StartAsync(Behind());
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);

        await proxy.SendAsync("PROXY TCP4 203.0.113.007 198.51.100.1 40000 2023\r\nhello\n");
        await proxy.WaitForServerCloseAsync();
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the rejection");

        var error = events.OfType<ConnectionError>().Single();
        Assert.Equal(TcpMsgErrorCode.ProxyProtocolError, error.Code);
        Assert.Contains("leading zeroes", error.Detail, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
        Assert.Equal(1, server.Server.Statistics.ConnectionsDenied);
    }

    [Fact]
    public async Task A_proxy_that_sends_no_header_is_closed_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(Behind(more: s => s with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) }));
        using var proxy = await RawClient.ConnectAsync(server.EndPoint);

        await proxy.SendAsync("PROXY TCP4 203.0.113.7");
        Assert.True(await proxy.WaitForServerCloseAsync());
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the timeout");

        Assert.Equal(TcpMsgErrorCode.HandshakeTimeout, events.OfType<ConnectionError>().Single().Code);
    }

    [Fact]
    public async Task The_header_comes_before_the_tls_handshake_and_both_are_recorded()
    {
        using var pki = TestPki.Create();
        var tls = new TlsServerOptions { CertificateFile = pki.WritePem(pki.IssueServer(), "server.pem") };
        await using var server = await TestServer.StartTlsAsync(tls, Behind());

        await using var proxied = await TlsTestClient.ConnectAsync(server.EndPoint, pki.Authority, before: ProxyHeaderWriter.V1(s_client, s_frontend));
        await proxied.SendAsync("encrypted behind the balancer\n");
        Assert.True(await proxied.FinishAsync());
        await server.Sink.WaitForDisconnectsAsync(1);

        var connection = server.Sink.Messages.Single().Connection;
        Assert.Equal("203.0.113.7:40000", connection.EndPoint);
        Assert.Equal("TLS 1.3", connection.TlsProtocol);
    }
}
