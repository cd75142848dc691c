using System.Security.Cryptography.X509Certificates;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class TlsCertificateReloadTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    private static TcpMsgServerOptions FastReload => TcpMsgServerOptions.Default with
    {
        Security = TcpMsgSecurityOptions.Default with { FileReloadInterval = TimeSpan.FromMilliseconds(50) },
    };

    [Fact]
    public async Task A_changed_certificate_file_is_used_for_new_handshakes_and_open_connections_go_on()
    {
        var file = _pki.WritePem(_pki.IssueServer("first"), "server.pem");
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = file }, FastReload);
        await using var open = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority);
        await open.SendAsync("before the change\n");
        await server.Sink.WaitForMessagesAsync(1);

        Replace(file, _pki.IssueServer("second"));
        await Eventually.UntilAsync(async () => await SubjectSeenAsync(server) == "CN=second", "new handshakes to present the new certificate");

        await open.SendAsync("after the change, same connection\n");
        Assert.True(await open.FinishAsync());
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientDisconnected>().Any(d => d.Connection.RemoteEndPoint!.Port == open.LocalEndPoint.Port), what: "the first connection's end");

        Assert.Contains("after the change, same connection", server.Sink.Texts);
        var first = server.Sink.OfType<ClientDisconnected>().Single(d => d.Connection.RemoteEndPoint!.Port == open.LocalEndPoint.Port);
        Assert.Equal(TcpMsgErrorCode.PeerClosed, first.Reason);
    }

    [Fact]
    public async Task A_broken_replacement_keeps_the_previous_certificate_and_is_logged()
    {
        var file = _pki.WritePem(_pki.IssueServer("first"), "server.pem");
        var log = new CollectingLogger();
        await using var server = await TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = file }, FastReload, log.Factory);

        File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        await log.WaitForAsync("TLS certificate not reloaded, the previous one stays in use");

        Assert.Equal("CN=first", await SubjectSeenAsync(server));
        Replace(file, _pki.IssueServer("second"));
        await log.WaitForAsync("TLS certificate reloaded: CN=second");
        Assert.Equal("CN=second", await SubjectSeenAsync(server));
    }

    [Fact]
    public async Task A_server_does_not_start_with_an_unusable_certificate()
    {
        var clientOnly = _pki.WritePem(_pki.IssueClient("CN=not a server"), "client.pem");
        var missing = _pki.PathOf("missing.pem");

        var notForServers = await Assert.ThrowsAsync<TcpMsgException>(() => TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = clientOnly }));
        var notThere = await Assert.ThrowsAsync<TcpMsgException>(() => TestServer.StartTlsAsync(new TlsServerOptions { CertificateFile = missing }));

        Assert.Contains("not for servers", notForServers.Message, StringComparison.Ordinal);
        Assert.Equal($"{missing}: no such file", notThere.Message);
    }

    [Fact]
    public async Task A_changed_client_authority_file_applies_to_new_handshakes()
    {
        using var second = TestPki.Create("second CA");
        var authorities = _pki.PathOf("clients.pem");
        File.Copy(_pki.AuthorityFile, authorities);
        var tls = new TlsServerOptions { CertificateFile = _pki.WritePem(_pki.IssueServer(), "server.pem"), ClientCertificateAuthorityFile = authorities };
        var log = new CollectingLogger();
        await using var server = await TestServer.StartTlsAsync(tls, FastReload, log.Factory);

        File.Copy(second.AuthorityFile, authorities, overwrite: true);
        await log.WaitForAsync("TLS certificate reloaded");
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority, second.IssueClient("CN=bob"));
        await client.SendAsync("signed by the new authority\n");
        Assert.True(await client.FinishAsync());
        await server.Sink.WaitForMessagesAsync(1);

        Assert.Equal("CN=bob", server.Sink.Messages.Single().Connection.ClientCertificateSubject);
    }

    /// <summary>Writes the new certificate beside the file and renames it over, as deployment tools do.</summary>
    private void Replace(string file, X509Certificate2 certificate)
    {
        var temporary = _pki.WritePem(certificate, Path.GetFileName(file) + ".new");
        File.Move(temporary, file, overwrite: true);
    }

    private async Task<string?> SubjectSeenAsync(TestServer server)
    {
        X509Certificate? seen = null;
        await using var client = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority, seen: c => seen = c);
        return seen?.Subject;
    }
}
