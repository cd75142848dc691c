using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Client;

public sealed class TlsMessageClientTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    private Task<TestServer> StartServerAsync(string? clientCa = null) =>
        TestServer.StartTlsAsync(new TlsServerOptions
        {
            CertificateFile = _pki.WritePem(_pki.IssueServer(), "server.pem"),
            ClientCertificateAuthorityFile = clientCa,
        });

    private TlsClientOptions Trusting => TlsClientOptions.Default with { TrustedAuthorities = [_pki.Authority] };

    private static MessageClientOptions With(TlsClientOptions tls) =>
        MessageClientOptions.Default with { Tls = tls, ConnectTimeout = TestTimeouts.Default, CloseTimeout = TestTimeouts.Default };

    [Fact]
    public async Task A_client_trusting_the_private_ca_sends_over_tls_by_ip_address()
    {
        await using var server = await StartServerAsync();

        // 127.0.0.1 is checked against the certificate's IP address entries.
        await using (var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, With(Trusting), TestContext.Current.CancellationToken))
        {
            await client.SendAsync("你好, TLS", TestContext.Current.CancellationToken);
            await client.CompleteAsync(TestContext.Current.CancellationToken);
        }

        await server.Sink.WaitForDisconnectsAsync(1);
        var message = Assert.Single(server.Sink.Messages);
        Assert.Equal("你好, TLS", message.Text);
        Assert.Equal("TLS 1.3", message.Connection.TlsProtocol);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, server.Sink.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task By_default_the_system_store_decides_and_a_private_ca_is_not_trusted()
    {
        await using var server = await StartServerAsync();

        var error = await Assert.ThrowsAsync<TcpMsgException>(() =>
            MessageClient.ConnectAsync("127.0.0.1", server.Port, With(TlsClientOptions.Default), TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("the server's certificate 'CN=localhost' is not trusted", error.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(TlsClientOptions.TrustedAuthorities), error.Subject);
        Assert.DoesNotContain("--", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task A_certificate_for_another_name_is_refused_even_from_the_trusted_ca()
    {
        await using var server = await StartServerAsync();

        var error = await Assert.ThrowsAsync<TcpMsgException>(() =>
            MessageClient.ConnectAsync("127.0.0.1", server.Port, With(Trusting with { ServerName = "tcpmsg.invalid" }), TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("not valid for the name 'tcpmsg.invalid'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_signed_by_another_ca_is_refused_when_a_ca_is_given()
    {
        using var other = TestPki.Create("other CA");
        await using var server = await StartServerAsync();

        var error = await Assert.ThrowsAsync<TcpMsgException>(() =>
            MessageClient.ConnectAsync("127.0.0.1", server.Port, With(TlsClientOptions.Default with { TrustedAuthorities = [other.Authority] }), TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("not signed by the given authority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allowing_an_untrusted_server_skips_verification_only_when_asked()
    {
        await using var server = await StartServerAsync();

        await using (var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, With(TlsClientOptions.Default with { AllowUntrustedServer = true, ServerName = "wrong.invalid" }), TestContext.Current.CancellationToken))
        {
            await client.SendAsync("unverified", TestContext.Current.CancellationToken);
            await client.CompleteAsync(TestContext.Current.CancellationToken);
        }

        await server.Sink.WaitForMessagesAsync(1);
        Assert.False(TlsClientOptions.Default.AllowUntrustedServer);
    }

    [Fact]
    public async Task A_client_certificate_from_files_is_presented_and_recorded()
    {
        await using var server = await StartServerAsync(clientCa: _pki.AuthorityFile);
        var issued = _pki.IssueClient("CN=carol");
        var options = TlsClientOptions.FromFiles(_pki.AuthorityFile, _pki.WritePem(issued, "carol.pem", withKey: false), _pki.WriteKeyPem(issued, "carol.key"));

        await using (var client = await MessageClient.ConnectAsync("localhost", server.Port, With(options), TestContext.Current.CancellationToken))
        {
            await client.SendAsync("from carol", TestContext.Current.CancellationToken);
            await client.CompleteAsync(TestContext.Current.CancellationToken);
        }

        await server.Sink.WaitForMessagesAsync(1);
        Assert.Equal("CN=carol", server.Sink.Messages.Single().Connection.ClientCertificateSubject);
    }

    [Fact]
    public async Task Without_the_required_client_certificate_the_client_learns_it_was_refused()
    {
        await using var server = await StartServerAsync(clientCa: _pki.AuthorityFile);

        var error = await Assert.ThrowsAsync<TcpMsgException>(async () =>
        {
            await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, With(Trusting), TestContext.Current.CancellationToken);
            await client.SendAsync("anonymous", TestContext.Current.CancellationToken);
            await client.CompleteAsync(TestContext.Current.CancellationToken);
        });

        Assert.Equal(TcpMsgErrorCode.Reset, error.Code);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task A_tls_client_against_a_plain_server_times_out_and_never_falls_back_to_plain_text()
    {
        await using var server = await TestServer.StartAsync();

        // The plain server takes the ClientHello for text and never answers it.
        var error = await Assert.ThrowsAsync<TcpMsgException>(() =>
            MessageClient.ConnectAsync("127.0.0.1", server.Port, With(Trusting) with { ConnectTimeout = TimeSpan.FromMilliseconds(500) }, TestContext.Current.CancellationToken));

        Assert.Equal(TcpMsgErrorCode.TimedOut, error.Code);
        Assert.Contains("did not answer the TLS handshake", error.Message, StringComparison.Ordinal);
        await server.Sink.WaitForDisconnectsAsync(1);
    }
}
