using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>The security options of serve and send, in-process with output captured.</summary>
public sealed class SecurityCliTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    private string ServerPem() => _pki.WritePem(_pki.IssueServer(), "server.pem");

    [Fact]
    public async Task Serve_with_a_certificate_speaks_tls_and_says_so()
    {
        await using var cli = await InProcessCli.ServeAsync("--tls-cert", ServerPem(), "--lang", "en", "-v");
        await using (var client = await TlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, cli.Port), _pki.Authority))
        {
            await client.SendAsync("secret 你好\n");
            Assert.True(await client.FinishAsync());
        }

        await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected from the server", StringComparison.Ordinal), "the disconnect line");
        Assert.Contains($"tcpmsg listening on 127.0.0.1:{cli.Port} (TLS); press Ctrl+C to stop", cli.Console.ErrorText, StringComparison.Ordinal);
        Assert.Contains(cli.Console.OutLines, l => l.EndsWith(" encrypted with TLS 1.3", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1 sent a message>>>secret 你好", cli.Console.OutLines);
    }

    [Fact]
    public async Task Json_output_carries_the_tls_version_and_the_client_certificate_subject()
    {
        await using var cli = await InProcessCli.ServeAsync("--tls-cert", ServerPem(), "--tls-client-ca", _pki.AuthorityFile, "--format", "json");
        await using (var client = await TlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, cli.Port), _pki.Authority, _pki.IssueClient("CN=dave")))
        {
            await client.SendAsync("signed\n");
            Assert.True(await client.FinishAsync());
        }

        await cli.Console.WaitForOutputAsync(o => o.Contains("\"disconnected\"", StringComparison.Ordinal), "the disconnect event");
        var events = cli.Console.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["connected", "message", "disconnected"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.All(events, e => Assert.Equal("CN=dave", e.GetProperty("client_cert").GetString()));
        Assert.All(events, e => Assert.Equal("TLS 1.3", e.GetProperty("tls").GetString()));
    }

    [Fact]
    public async Task The_client_certificate_subject_is_stored_with_each_message_and_shown_by_history()
    {
        var store = _pki.PathOf("signed.db");
        await using (var cli = await InProcessCli.ServeAsync("--tls-cert", ServerPem(), "--tls-client-ca", _pki.AuthorityFile, "--store", store))
        {
            await using (var client = await TlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, cli.Port), _pki.Authority, _pki.IssueClient("CN=erin,O=ops")))
            {
                await client.SendAsync("signed and stored\n");
                Assert.True(await client.FinishAsync());
            }

            await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected from the server", StringComparison.Ordinal), "the disconnect line");
        }

        var (code, json) = await InProcessCli.RunAsync("", "history", "--store", store, "--format", "json");
        var (_, text) = await InProcessCli.RunAsync("", "history", "--store", store, "--verbose", "--lang", "en");

        Assert.Equal(0, code);
        var message = JsonDocument.Parse(Assert.Single(json.OutLines)).RootElement;
        Assert.Equal("signed and stored", message.GetProperty("text").GetString());
        Assert.Equal("CN=erin, O=ops", message.GetProperty("client_cert").GetString());
        Assert.Equal("127.0.0.1 sent a message>>>signed and stored", HistoryCommandTests.WithoutTime([text.OutLines[0]])[0]);
        Assert.Matches(@"^    id 1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z from 127\.0\.0\.1:\d+; client certificate CN=erin, O=ops$", text.OutLines[1]);
    }

    [Fact]
    public async Task Tls_listen_adds_a_tls_endpoint_beside_the_plain_one()
    {
        await using var cli = await InProcessCli.ServeAsync("--tls-listen", "127.0.0.1:0", "--tls-cert", ServerPem(), "--lang", "en");

        var plain = cli.Server.LocalEndPoints[0];
        var tls = Assert.Single(cli.Server.TlsEndPoints);
        Assert.NotEqual(plain, tls);
        Assert.Contains($"tcpmsg listening on 127.0.0.1:{plain.Port}, 127.0.0.1:{tls.Port} (TLS)", cli.Console.ErrorText, StringComparison.Ordinal);

        var (code, send) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{plain.Port}", "plain beside TLS");
        Assert.Equal(0, code);
        Assert.Equal("", send.ErrorText);
        await cli.Console.WaitForOutputAsync(o => o.Contains("plain beside TLS", StringComparison.Ordinal), "the plain message");
    }

    [Theory]
    [InlineData("tcpmsg serve: --tls-listen needs --tls-cert", "--tls-listen", "127.0.0.1:0")]
    [InlineData("tcpmsg serve: --tls-client-ca needs --tls-cert", "--tls-client-ca", "ca.pem")]
    [InlineData("tcpmsg serve: --proxy-protocol needs --trusted-proxy CIDR", "--proxy-protocol")]
    [InlineData("tcpmsg serve: --trusted-proxy needs --proxy-protocol", "--trusted-proxy", "10.0.0.1")]
    [InlineData("tcpmsg: --allow '10.1.2.3/8' has bits set after the /8 prefix; did you mean 10.0.0.0/8?", "--allow", "10.1.2.3/8")]
    [InlineData("tcpmsg: --deny 'example.com' is not an IP network", "--deny", "example.com")]
    [InlineData("tcpmsg serve: --burst needs --rate", "--burst", "10")]
    [InlineData("tcpmsg: --rate 'fast' is not a rate", "--rate", "fast")]
    [InlineData("tcpmsg: --rate-per-ip '5/y': unknown unit", "--rate-per-ip", "5/y")]
    [InlineData("tcpmsg: --max-connections-per-ip must be 0 (no limit) or more", "--max-connections-per-ip", "-1")]
    [InlineData("tcpmsg serve: --http-token-file needs --http ADDRESS:PORT", "--http-token-file", "token")]
    public async Task Contradictory_or_malformed_security_options_are_usage_errors(string expected, params string[] args)
    {
        var (code, console) = await InProcessCli.RunAsync("", ["serve", "--no-store", "--listen", "127.0.0.1:0", .. args]);

        Assert.Equal(2, code);
        Assert.StartsWith(expected, console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_certificate_stops_serve_with_one_line_and_exit_12()
    {
        var missing = _pki.PathOf("missing.pem");

        var (code, console) = await InProcessCli.RunAsync("", "serve", "--no-store", "--listen", "127.0.0.1:0", "--tls-cert", missing, "--lang", "en");

        Assert.Equal(12, code);
        Assert.Equal($"tcpmsg: TLS: {missing}: no such file\n", console.ErrorText);
    }

    [Fact]
    public async Task Rates_and_limits_reach_the_server_options()
    {
        await using var cli = await InProcessCli.ServeAsync(
            "--rate", "60/m", "--rate-per-ip", "500/s", "--burst-per-ip", "50", "--max-connections-per-ip", "7",
            "--message-timeout", "0", "--max-connection-lifetime", "1h", "--handshake-timeout", "3s");

        var security = cli.Server.Services.GetRequiredService<TcpMsgServerOptions>().Security;
        Assert.Equal(new RateLimit(1, 2), security.ConnectionRate);
        Assert.Equal(new RateLimit(500, 50), security.AddressRate);
        Assert.Equal(7, security.MaxConnectionsPerAddress);
        Assert.Equal(Timeout.InfiniteTimeSpan, security.MessageTimeout);
        Assert.Equal(TimeSpan.FromHours(1), security.MaxConnectionLifetime);
        Assert.Equal(TimeSpan.FromSeconds(3), security.HandshakeTimeout);
    }

    [Theory]
    [InlineData("en", "127.0.0.2:{0}: connection refused: 127.0.0.2 matches the deny rule 127.0.0.2/32")]
    [InlineData("zh", "127.0.0.2:{0}:连接被拒绝:127.0.0.2 matches the deny rule 127.0.0.2/32")]
    public async Task A_denied_peer_is_one_localized_line_on_stderr(string lang, string expected)
    {
        await using var cli = await InProcessCli.ServeAsync("--deny", "127.0.0.2", "--lang", lang);
        using var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, cli.Port), IPAddress.Parse("127.0.0.2"));
        var port = client.LocalEndPoint.Port;
        Assert.True(await client.WaitForServerCloseAsync());

        await cli.Console.WaitForErrorAsync(e => e.Contains("127.0.0.2:", StringComparison.Ordinal), "the refusal line");
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, port), cli.Console.ErrorText.Split('\n'));
        Assert.Equal("", cli.Console.OutText);
    }

    [Fact]
    public async Task Send_with_the_private_ca_delivers_over_tls()
    {
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = ServerPem() });

        var (code, console) = await InProcessCli.RunAsync("", "send", "--tls-ca", _pki.AuthorityFile, $"127.0.0.1:{server.Port}", "over TLS");
        await server.Sink.WaitForMessagesAsync(1);

        Assert.Equal(0, code);
        Assert.Equal("", console.ErrorText);
        Assert.Equal("TLS 1.3", server.Sink.Messages.Single().Connection.TlsProtocol);
    }

    [Fact]
    public async Task Send_refuses_an_untrusted_server_with_exit_12_and_says_what_to_do()
    {
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = ServerPem() });

        var (code, console) = await InProcessCli.RunAsync("", "send", "--tls", $"127.0.0.1:{server.Port}", "must not go", "--lang", "en");

        Assert.Equal(12, code);
        Assert.StartsWith($"tcpmsg send: TLS with 127.0.0.1:{server.Port} failed: the server's certificate 'CN=localhost' is not trusted", console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("--tls-ca FILE", console.ErrorText, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task Tls_insecure_warns_on_every_use_and_never_combines_with_verification_options()
    {
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = ServerPem() });

        for (var run = 0; run < 2; run++)
        {
            var (code, console) = await InProcessCli.RunAsync("", "send", "--tls-insecure", $"127.0.0.1:{server.Port}", $"run {run}", "--lang", "en");
            Assert.Equal(0, code);
            Assert.StartsWith("tcpmsg send: WARNING: --tls-insecure: the server's certificate is NOT verified", console.ErrorText, StringComparison.Ordinal);
        }

        var (mixed, mixedConsole) = await InProcessCli.RunAsync("", "send", "--tls-insecure", "--tls-ca", _pki.AuthorityFile, $"127.0.0.1:{server.Port}", "x");
        Assert.Equal(2, mixed);
        Assert.Contains("--tls-insecure contradicts --tls-ca", mixedConsole.ErrorText, StringComparison.Ordinal);
        await server.Sink.WaitForMessagesAsync(2);
    }

    [Fact]
    public async Task Send_to_a_server_that_requires_a_client_certificate()
    {
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = ServerPem(), ClientCertificateAuthorityFile = _pki.AuthorityFile });
        var erin = _pki.IssueClient("CN=erin");

        var (without, withoutConsole) = await InProcessCli.RunAsync("", "send", "--tls-ca", _pki.AuthorityFile, $"127.0.0.1:{server.Port}", "anonymous", "--lang", "en");
        var (with, withConsole) = await InProcessCli.RunAsync(
            "", "send", "--tls-ca", _pki.AuthorityFile, "--tls-cert", _pki.WritePem(erin, "erin.pem", withKey: false), "--tls-key", _pki.WriteKeyPem(erin, "erin.key"), $"127.0.0.1:{server.Port}", "from erin");
        await server.Sink.WaitForMessagesAsync(1);

        Assert.Equal(6, without);
        Assert.Contains("check --tls-cert", withoutConsole.ErrorText, StringComparison.Ordinal);
        Assert.Equal(0, with);
        Assert.Equal("", withConsole.ErrorText);
        Assert.Equal("CN=erin", server.Sink.Messages.Single().Connection.ClientCertificateSubject);
    }

    [Fact]
    public async Task Plain_send_to_a_tls_endpoint_fails_loudly_instead_of_looking_delivered()
    {
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = ServerPem() });

        var (code, console) = await InProcessCli.RunAsync("", "send", $"127.0.0.1:{server.Port}", "in the clear", "--lang", "en");

        Assert.Equal(6, code);
        Assert.StartsWith($"tcpmsg send: connection reset by 127.0.0.1:{server.Port}", console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("add --tls", console.ErrorText, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
    }

    [Theory]
    [InlineData("tcpmsg send: --tls-key needs --tls-cert; see 'tcpmsg send --help'", 2, "--tls-key", "k.pem")]
    [InlineData("tcpmsg send: TLS: /nonexistent/ca.pem: no such file", 12, "--tls-ca", "/nonexistent/ca.pem")]
    public async Task Send_tls_option_mistakes_are_caught_before_connecting(string expected, int exitCode, params string[] args)
    {
        var (code, console) = await InProcessCli.RunAsync("", ["send", .. args, "127.0.0.1:9", "x", "--lang", "en"]);

        Assert.Equal(exitCode, code);
        Assert.Equal(expected + "\n", console.ErrorText);
    }
}
