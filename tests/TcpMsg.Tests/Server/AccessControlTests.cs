using System.Net;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>Allow and deny rules over real loopback connections: 127.0.0.1, 127.0.0.2 and 127.0.0.3 are all this machine.</summary>
public sealed class AccessControlTests : LoopbackTest
{
    private static readonly IPAddress s_second = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_third = IPAddress.Parse("127.0.0.3");

    private static TcpMsgServerOptions With(TcpMsgSecurityOptions access, TimeSpan? reportInterval = null) => TcpMsgServerOptions.Default with
    {
        Security = access with
        {
            RefusalReportInterval = reportInterval ?? TcpMsgSecurityOptions.Default.RefusalReportInterval,
            FileReloadInterval = TimeSpan.FromMilliseconds(50),
        },
    };

    private static IPNetwork Net(string text) => IPNetwork.Parse(text);

    [Fact]
    public async Task A_denied_address_is_closed_at_once_while_others_are_served()
    {
        await using var server = await TestServer.StartAsync(With(TcpMsgSecurityOptions.Default with { Deny = [Net("127.0.0.2/32")] }));

        using var denied = await RawClient.ConnectAsync(server.EndPoint, s_second);
        Assert.True(await denied.WaitForServerCloseAsync());
        await SendOneAsync(server, IPAddress.Loopback, "allowed");

        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(["allowed"], server.Sink.Texts);
        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.AccessDenied, error.Code);
        Assert.Equal("127.0.0.2", error.Connection.Address);
        Assert.Contains("127.0.0.2 matches the deny rule 127.0.0.2/32", error.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(events.OfType<ClientConnected>(), c => c.Connection.Address == "127.0.0.2");
        Assert.Equal(1, server.Server.Statistics.ConnectionsDenied);
    }

    [Fact]
    public async Task With_allow_rules_only_matching_addresses_get_in()
    {
        await using var server = await TestServer.StartAsync(With(TcpMsgSecurityOptions.Default with { Allow = [Net("127.0.0.1/32")] }));

        using var stranger = await RawClient.ConnectAsync(server.EndPoint, s_second);
        Assert.True(await stranger.WaitForServerCloseAsync());
        await SendOneAsync(server, IPAddress.Loopback, "member");

        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(["member"], server.Sink.Texts);
        Assert.Contains("127.0.0.2 matches no allow rule", Assert.Single(events.OfType<ConnectionError>()).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_most_specific_rule_wins()
    {
        var access = TcpMsgSecurityOptions.Default with { Deny = [Net("127.0.0.0/8")], Allow = [Net("127.0.0.1/32")] };
        await using var server = await TestServer.StartAsync(With(access));

        using var denied = await RawClient.ConnectAsync(server.EndPoint, s_second);
        Assert.True(await denied.WaitForServerCloseAsync());
        await SendOneAsync(server, IPAddress.Loopback, "the /32 allow beats the /8 deny");

        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(["the /32 allow beats the /8 deny"], server.Sink.Texts);
    }

    [Fact]
    public async Task Ipv6_rules_apply_to_ipv6_peers()
    {
        var options = With(TcpMsgSecurityOptions.Default with { Deny = [Net("::1/128")] });
        await using var server = await TestServer.StartAsync(options, endpoint: ListenEndpoint.ForAddress(IPAddress.IPv6Loopback, 0));

        using var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, server.Port));
        Assert.True(await client.WaitForServerCloseAsync());

        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal");
        Assert.Contains("::1 matches the deny rule ::1/128", events.OfType<ConnectionError>().Single().Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flood_from_one_address_is_reported_once_per_interval_not_per_attempt()
    {
        var options = With(TcpMsgSecurityOptions.Default with { Deny = [Net("127.0.0.0/8")] }, reportInterval: TimeSpan.FromMilliseconds(300));
        await using var server = await TestServer.StartAsync(options);

        for (var i = 0; i < 30; i++)
        {
            using var refused = await RawClient.ConnectAsync(server.EndPoint, s_second);
            await refused.WaitForServerCloseAsync();
        }

        using (var other = await RawClient.ConnectAsync(server.EndPoint, s_third))
        {
            await other.WaitForServerCloseAsync();
        }

        var events = await server.Sink.WaitUntilAsync(
            e => e.OfType<ConnectionError>().Where(x => x.Connection.Address == "127.0.0.2").Sum(x => x.Value) == 30,
            what: "all 30 refusals of 127.0.0.2 accounted for");
        var second = events.OfType<ConnectionError>().Where(x => x.Connection.Address == "127.0.0.2").ToList();
        Assert.Equal(1, second[0].Value);
        Assert.InRange(second.Count, 2, 4);
        Assert.Contains("more from 127.0.0.2 in the last 0.3 s", second[1].Detail, StringComparison.Ordinal);
        Assert.Single(events.OfType<ConnectionError>(), x => x.Connection.Address == "127.0.0.3");
        Assert.Equal(31, server.Server.Statistics.ConnectionsDenied);
    }

    [Fact]
    public async Task A_deny_file_is_read_again_when_it_changes()
    {
        var directory = Directory.CreateTempSubdirectory("tcpmsg-acl");
        try
        {
            var file = Path.Combine(directory.FullName, "deny.txt");
            await File.WriteAllTextAsync(file, "# blocked hosts\n127.0.0.2   # a neighbour\n", TestContext.Current.CancellationToken);
            await using var server = await TestServer.StartAsync(With(TcpMsgSecurityOptions.Default with { DenyFiles = [file] }));

            using (var before = await RawClient.ConnectAsync(server.EndPoint, s_second))
            {
                Assert.True(await before.WaitForServerCloseAsync());
            }

            await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal");
            await File.WriteAllTextAsync(file, "# nobody blocked now\n", TestContext.Current.CancellationToken);
            await Eventually.UntilAsync(
                async () =>
                {
                    using var attempt = await RawClient.ConnectAsync(server.EndPoint, s_second);
                    await attempt.SendAsync("let in\n");
                    await attempt.ShutdownAndWaitForCloseAsync();
                    return server.Sink.Texts.Contains("let in");
                },
                "127.0.0.2 to be let in after the file changed");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_line_in_an_access_file_stops_the_server_from_starting_with_its_place()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "10.0.0.0/8\n10.1.2.3/8\n", TestContext.Current.CancellationToken);

            var error = await Assert.ThrowsAsync<TcpMsgException>(() => TestServer.StartAsync(With(TcpMsgSecurityOptions.Default with { AllowFiles = [file] })));

            Assert.Equal(TcpMsgErrorCode.AccessListInvalid, error.Code);
            Assert.Equal($"{file}:2: '10.1.2.3/8' has bits set after the /8 prefix; did you mean 10.0.0.0/8?", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task SendOneAsync(TestServer server, IPAddress from, string text)
    {
        using var client = await RawClient.ConnectAsync(server.EndPoint, from);
        await client.SendAsync(text + "\n");
        Assert.True(await client.ShutdownAndWaitForCloseAsync());
    }
}
