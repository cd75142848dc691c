using System.Text.Json;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>The built tool serving TLS to real TLS clients: openssl s_client, ncat --ssl and tcpmsg send, as processes.</summary>
public sealed class TlsInteropTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    private static async Task<(ChildProcess Serve, int Port)> ServeAsync(params string[] args)
    {
        var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0", "--format", "json", .. args]);
        return (serve, await EndToEndTests.ListeningPortAsync(serve));
    }

    private static async Task<List<JsonElement>> MessagesAsync(ChildProcess serve, int count)
    {
        await serve.WaitForOutputAsync(o => o.Split('\n').Count(l => l.Contains("\"disconnected\"", StringComparison.Ordinal)) >= count, $"{count} disconnects");
        return [.. serve.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "message")];
    }

    [Fact]
    public async Task Openssl_s_client_verifies_the_server_and_its_lines_arrive()
    {
        var openssl = ExternalTools.Require("openssl");
        var (serve, port) = await ServeAsync("--tls-cert", _pki.WritePem(_pki.IssueServer(), "server.pem"));
        await using (serve)
        {
            // -no_ign_eof: close (close_notify, then FIN) at the end of input, as the four-way close expects.
            await using var client = ChildProcess.Start(
                openssl,
                ["s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", _pki.AuthorityFile, "-verify_return_error", "-servername", "localhost", "-quiet", "-no_ign_eof"],
                stdin: "from openssl\n第二行\n");
            Assert.Equal(0, await client.WaitForExitAsync());

            var messages = await MessagesAsync(serve, 1);
            Assert.Equal(["from openssl", "第二行"], messages.Select(m => m.GetProperty("text").GetString()));
            Assert.All(messages, m => Assert.StartsWith("TLS 1.", m.GetProperty("tls").GetString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Openssl_s_client_with_a_client_certificate_is_recorded_by_subject()
    {
        var openssl = ExternalTools.Require("openssl");
        var client = _pki.IssueClient("CN=openssl user,O=tcpmsg tests");
        var (serve, port) = await ServeAsync("--tls-cert", _pki.WritePem(_pki.IssueServer(), "server.pem"), "--tls-client-ca", _pki.AuthorityFile);
        await using (serve)
        {
            await using var s_client = ChildProcess.Start(
                openssl,
                ["s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", _pki.AuthorityFile, "-verify_return_error", "-servername", "localhost", "-quiet", "-no_ign_eof",
                 "-cert", _pki.WritePem(client, "client.pem", withKey: false), "-key", _pki.WriteKeyPem(client, "client.key")],
                stdin: "with a certificate\n");
            Assert.Equal(0, await s_client.WaitForExitAsync());

            var message = Assert.Single(await MessagesAsync(serve, 1));
            Assert.Equal("CN=openssl user, O=tcpmsg tests", message.GetProperty("client_cert").GetString());
        }
    }

    [Fact]
    public async Task Ncat_ssl_with_verification_sends_to_the_tls_endpoint()
    {
        var ncat = ExternalTools.Require("ncat");
        var (serve, port) = await ServeAsync("--tls-cert", _pki.WritePem(_pki.IssueServer(), "server.pem"));
        await using (serve)
        {
            // ncat checks DNS names only; --ssl-servername gives it the name without resolving anything.
            await using var client = ChildProcess.Start(
                ncat,
                ["--ssl", "--ssl-verify", "--ssl-trustfile", _pki.AuthorityFile, "--ssl-servername", "localhost", "127.0.0.1", $"{port}"],
                stdin: "from ncat --ssl\n");
            Assert.Equal(0, await client.WaitForExitAsync());

            Assert.Equal("from ncat --ssl", Assert.Single(await MessagesAsync(serve, 1)).GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task Serve_and_send_processes_talk_tls_with_a_password_protected_pkcs12_certificate()
    {
        var password = new Dictionary<string, string> { ["TCPMSG_TLS_PASSWORD"] = "pfx secret" };
        var pfx = _pki.WritePfx(_pki.IssueServer(), "server.p12", "pfx secret");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0", "--tls-cert", pfx], password);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        Assert.Contains("(TLS)", serve.Error, StringComparison.Ordinal);

        await using var send = ChildProcess.StartTcpMsg(["send", "--tls-ca", _pki.AuthorityFile, $"127.0.0.1:{port}", "你好, TLS"]);
        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal("", send.Error);
        await serve.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        Assert.StartsWith("127.0.0.1 sent a message>>>你好, TLS\n", serve.Out, StringComparison.Ordinal);
        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
    }
}
