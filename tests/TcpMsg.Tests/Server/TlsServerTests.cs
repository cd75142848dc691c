using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class TlsServerTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    private TlsServerOptions ServerTls(string? clientCa = null) => new()
    {
        CertificateFile = _pki.WritePem(_pki.IssueServer(), "server.pem"),
        ClientCertificateAuthorityFile = clientCa,
    };

    [Fact]
    public async Task Messages_sent_over_tls_arrive_decrypted_and_the_connection_says_which_tls()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls());
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority);

        await client.SendAsync("你好,世界!!!\nsecond");
        Assert.True(await client.FinishAsync());
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["你好,世界!!!", "second"], server.Sink.Texts);
        var connection = server.Sink.Messages[0].Connection;
        Assert.Equal("TLS 1.3", connection.TlsProtocol);
        Assert.Null(connection.ClientCertificateSubject);
        Assert.Equal(client.LocalEndPoint.Port, connection.RemoteEndPoint!.Port);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task Tls_1_2_is_accepted()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls());
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority, protocols: SslProtocols.Tls12);

        await client.SendAsync("over 1.2\n");
        Assert.True(await client.FinishAsync());
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal("TLS 1.2", Assert.Single(server.Sink.Messages).Connection.TlsProtocol);
    }

    [Fact]
    public async Task A_client_hello_offering_at_most_tls_1_1_is_refused_with_an_alert()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls());
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(Tls11ClientHello());
        var reply = new byte[7];
        var read = await client.Socket.ReceiveAsync(reply, System.Net.Sockets.SocketFlags.None).WithTimeout();

        // Either a fatal alert record (21) or the connection closed; never a ServerHello (22).
        Assert.True(read == 0 || reply[0] == 21, $"expected an alert or a close, got record type {reply[0]}");
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the handshake failure");
        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("protocol", error.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(events.OfType<ClientConnected>());
        Assert.Equal(1, server.Server.Statistics.TlsHandshakeFailures);
    }

    [Fact]
    public async Task A_plain_text_client_on_a_tls_endpoint_is_closed_and_told_apart()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls());
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("hello in the clear\n");
        await client.WaitForServerCloseAsync();
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the refusal");

        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("did not start a TLS handshake", error.Detail, StringComparison.Ordinal);
        Assert.Empty(server.Sink.Messages);
    }

    [Fact]
    public async Task A_silent_or_stalled_handshake_is_closed_after_the_handshake_timeout_while_others_proceed()
    {
        var options = TcpMsgServerOptions.Default with
        {
            Security = TcpMsgSecurityOptions.Default with
            {
                // Long enough for a real handshake on a loaded machine, short enough for a test.
                HandshakeTimeout = TimeSpan.FromSeconds(2),
                RefusalReportInterval = TimeSpan.FromMilliseconds(200),
            },
        };
        await using var server = await TestServer.StartTlsAsync(ServerTls(), options);
        using var silent = await RawClient.ConnectAsync(server.EndPoint);
        using var stalled = await RawClient.ConnectAsync(server.EndPoint);
        await stalled.SendAsync(Tls11ClientHello()[..9]);

        await using (var good = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority))
        {
            await good.SendAsync("not held up\n");
            await server.Sink.WaitForMessagesAsync(1);
            Assert.True(await good.FinishAsync());
        }

        await silent.WaitForServerCloseAsync();
        await stalled.WaitForServerCloseAsync();

        // Both from 127.0.0.1: one report at once, the second counted in the next summary.
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Sum(x => x.Value) == 2, what: "two handshake timeouts");

        Assert.Equal(["not held up"], server.Sink.Texts);
        Assert.Equal(2, events.OfType<ConnectionError>().Count());
        Assert.All(events.OfType<ConnectionError>(), e => Assert.Equal(TcpMsgErrorCode.HandshakeTimeout, e.Code));
        Assert.All(events.OfType<ConnectionError>(), e => Assert.Contains("within 2 s", e.Detail, StringComparison.Ordinal));
        Assert.Equal(2, server.Server.Statistics.TlsHandshakeFailures);
    }

    [Fact]
    public async Task Plain_and_tls_endpoints_serve_side_by_side()
    {
        var sink = new CollectingSink();
        var options = TcpMsgServerOptions.Default with
        {
            Endpoints = [ListenEndpoint.ForAddress(IPAddress.Loopback, 0), ListenEndpoint.ForAddress(IPAddress.Loopback, 0) with { Tls = true }],
            Security = TcpMsgSecurityOptions.Default with { Tls = ServerTls() },
        };
        await using var server = await TcpMsgServer.StartAsync(options, [sink], cancellationToken: TestContext.Current.CancellationToken).WithTimeout();
        var tlsEndPoint = Assert.Single(server.TlsEndPoints);
        var plainEndPoint = Assert.Single(server.LocalEndPoints, e => !e.Equals(tlsEndPoint));

        using (var plain = await RawClient.ConnectAsync(plainEndPoint))
        {
            await plain.SendAsync("plain\n");
            Assert.True(await plain.ShutdownAndWaitForCloseAsync());
        }

        await using (var tls = await TlsTestClient.ConnectAsync(tlsEndPoint, _pki.Authority))
        {
            await tls.SendAsync("encrypted\n");
            Assert.True(await tls.FinishAsync());
        }

        await sink.WaitForDisconnectsAsync(2);
        Assert.Equal(["plain", "encrypted"], sink.Texts);
        Assert.Equal([null, "TLS 1.3"], sink.Messages.Select(m => m.Connection.TlsProtocol));
    }

    [Fact]
    public async Task A_client_certificate_signed_by_the_client_ca_is_accepted_and_its_subject_recorded()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls(clientCa: _pki.AuthorityFile));
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority, _pki.IssueClient("CN=alice,O=tcpmsg tests"));

        await client.SendAsync("signed\n");
        Assert.True(await client.FinishAsync());
        await server.Sink.WaitForDisconnectsAsync(1);

        var connection = Assert.Single(server.Sink.Messages).Connection;
        Assert.Equal("CN=alice, O=tcpmsg tests", connection.ClientCertificateSubject);
        Assert.All(server.Sink.Events, e => Assert.Equal("CN=alice, O=tcpmsg tests", e.Connection.ClientCertificateSubject));
    }

    [Fact]
    public async Task Without_a_client_certificate_the_handshake_fails_and_nothing_is_accepted()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls(clientCa: _pki.AuthorityFile));

        await AssertRejectedAsync(server, clientCertificate: null);

        var error = await FirstErrorAsync(server);
        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("presented no certificate", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_from_another_authority_is_rejected_with_the_reason()
    {
        using var stranger = TestPki.Create("stranger CA");
        await using var server = await TestServer.StartTlsAsync(ServerTls(clientCa: _pki.AuthorityFile));

        await AssertRejectedAsync(server, stranger.IssueClient("CN=mallory"));

        var error = await FirstErrorAsync(server);
        Assert.Equal(TcpMsgErrorCode.TlsHandshakeFailed, error.Code);
        Assert.Contains("'CN=mallory' is not trusted", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_record_after_the_handshake_is_reported_and_ends_the_connection_like_a_reset()
    {
        await using var server = await TestServer.StartTlsAsync(ServerTls());
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority);
        await client.SendAsync("good\npartial");
        await server.Sink.WaitForMessagesAsync(1);

        // An application-data record whose ciphertext cannot decrypt, written under the TLS layer.
        byte[] garbage = [0x17, 0x03, 0x03, 0x00, 0x20, .. RandomNumberGenerator.GetBytes(32)];
        await client.Socket.SendAsync(garbage, System.Net.Sockets.SocketFlags.None, TestContext.Current.CancellationToken);
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["good"], server.Sink.Texts);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.ProtocolError && e.Detail.StartsWith("TLS: ", StringComparison.Ordinal));
        var closed = events.OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.PeerReset, closed.Reason);
        Assert.Equal("partial".Length, closed.DiscardedBytes);
    }

    private async Task AssertRejectedAsync(TestServer server, X509Certificate2? clientCertificate)
    {
        // The client finishes its handshake before the server has judged its certificate; the server
        // then resets the connection, so the client learns of the refusal at its first read.
        try
        {
            await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority, clientCertificate);
            await client.SendAsync("must not arrive\n");
            Assert.False(await client.WaitForServerCloseAsync(), "the server ended the stream as if it had accepted it");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // Refused during the handshake.
        }

        Assert.Empty(server.Sink.Messages);
    }

    private static async Task<ConnectionError> FirstErrorAsync(TestServer server)
    {
        var events = await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(), what: "the handshake failure");
        return events.OfType<ConnectionError>().First();
    }

    /// <summary>A ClientHello whose highest version is TLS 1.1 (0x0302), ECDHE-ECDSA with AES-CBC, no extensions.</summary>
    private static byte[] Tls11ClientHello()
    {
        byte[] body =
        [
            0x03, 0x02, .. RandomNumberGenerator.GetBytes(32),
            0x00,                         // session id: none
            0x00, 0x04, 0xC0, 0x09, 0xC0, 0x0A, // cipher suites
            0x01, 0x00,                   // compression: null
        ];
        byte[] handshake = [0x01, 0x00, (byte)(body.Length >> 8), (byte)body.Length, .. body];
        return [0x16, 0x03, 0x01, (byte)(handshake.Length >> 8), (byte)handshake.Length, .. handshake];
    }
}
