using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// Each failure names its real cause (issue: misleading causes), with real <c>tcpmsg serve</c> and
/// <c>tcpmsg send</c> processes: a client refused by the access list is told so (in plain text on a
/// plain endpoint, as a TLS access_denied alert on a TLS one) instead of guessing "not a TLS
/// endpoint" or "not a tcpmsg server"; a wrong token is not reported as a missing one; a plain send
/// to a server that refuses plain mode does not exit 0.
/// </summary>
public sealed class MisleadingCausesTests : LoopbackTest
{
    private readonly TempDirectory _directory = new();
    private readonly TestPki _pki = TestPki.Create();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        _directory.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task A_client_the_access_list_refuses_is_told_so_by_send_send_plain_and_nc_alike()
    {
        await using var serve = Serve("--no-store", "--deny", "127.0.0.0/8");
        var port = await EndToEndTests.ListeningPortAsync(serve);

        var (confirmed, confirmedError) = await SendAsync($"127.0.0.1:{port}", "hi");
        var (plain, plainError) = await SendAsync("--plain", $"127.0.0.1:{port}", "hi");
        var raw = await ReadAllAsync(port);

        Assert.Equal((15, $"tcpmsg send: 127.0.0.1:{port} refused this client: this address may not connect to this server\n"), (confirmed, confirmedError));
        Assert.Equal((15, confirmedError), (plain, plainError));
        Assert.Equal("tcpmsg: refused (access-denied): this address may not connect to this server\n", raw);
    }

    [Fact]
    public async Task A_client_refused_on_a_tls_endpoint_hears_access_denied_not_is_it_a_tls_endpoint()
    {
        await using var serve = Serve("--no-store", "--deny", "127.0.0.0/8", "--tls-cert", _pki.WritePem(_pki.IssueServer(addresses: [IPAddress.Loopback]), "server.pem"));
        var port = await EndToEndTests.ListeningPortAsync(serve);

        var (code, error) = await SendAsync("--tls", "--tls-ca", _pki.AuthorityFile, $"127.0.0.1:{port}", "hi");

        Assert.Equal(15, code);
        Assert.Contains("refused this client before the TLS handshake", error, StringComparison.Ordinal);
        Assert.DoesNotContain("is it a TLS endpoint", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_over_the_per_address_limit_is_told_to_try_again_later()
    {
        await using var serve = Serve("--no-store", "--max-connections-per-ip", "1");
        var port = await EndToEndTests.ListeningPortAsync(serve);
        using var holder = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await holder.SendAsync("holding the only connection\n");
        await serve.WaitForOutputAsync(o => o.Contains("holding the only connection", StringComparison.Ordinal), "the holder's message");

        var (code, error) = await SendAsync($"127.0.0.1:{port}", "hi");

        Assert.Equal(4, code);
        Assert.Equal($"tcpmsg send: 127.0.0.1:{port} refused the connection: this address has as many connections open as the server allows; try again later\n", error);
    }

    [Fact]
    public async Task A_wrong_token_is_not_reported_as_a_missing_one()
    {
        var tokens = _directory.File("tokens");
        var wrong = _directory.File("wrong");
        await File.WriteAllTextAsync(tokens, "the-right-token-0123456789\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(wrong, "a-wrong-token-0123456789\n", TestContext.Current.CancellationToken);
        await using var serve = Serve("--no-store", "--token-file", tokens);
        var port = await EndToEndTests.ListeningPortAsync(serve);

        var (wrongCode, wrongError) = await SendAsync($"127.0.0.1:{port}", "--token-file", wrong, "hi");
        var (noneCode, noneError) = await SendAsync($"127.0.0.1:{port}", "hi");

        Assert.Equal((13, $"tcpmsg send: 127.0.0.1:{port} refused the access token (from --token-file or $TCPMSG_TOKEN): it is not one of the server's tokens\n"), (wrongCode, wrongError));
        Assert.Equal((13, $"tcpmsg send: 127.0.0.1:{port} requires an access token: give one with --token-file FILE or $TCPMSG_TOKEN\n"), (noneCode, noneError));
    }

    [Fact]
    public async Task Send_plain_to_a_server_that_refuses_plain_mode_fails_and_says_why()
    {
        await using var serve = Serve("--no-store", "--no-plain");
        var port = await EndToEndTests.ListeningPortAsync(serve);

        var (code, error) = await SendAsync("--plain", $"127.0.0.1:{port}", "lost in silence?");

        Assert.Equal(8, code);
        Assert.Equal($"tcpmsg send: 127.0.0.1:{port} refused the connection: this server accepts only tcpmsg clients in confirmed mode (tcpmsg send)\n", error);
        Assert.DoesNotContain("lost in silence?", serve.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_to_a_tls_endpoint_suggests_tls_and_tls_to_a_plain_endpoint_says_the_handshake_went_unanswered()
    {
        await using var tls = Serve("--no-store", "--tls-cert", _pki.WritePem(_pki.IssueServer(addresses: [IPAddress.Loopback]), "server.pem"));
        var tlsPort = await EndToEndTests.ListeningPortAsync(tls);
        await using var plain = Serve("--no-store");
        var plainPort = await EndToEndTests.ListeningPortAsync(plain);

        var (toTls, toTlsError) = await SendAsync($"127.0.0.1:{tlsPort}", "in the clear");
        var (toPlain, toPlainError) = await SendAsync("--tls", "--tls-ca", _pki.AuthorityFile, "--timeout", "1s", $"127.0.0.1:{plainPort}", "encrypted");

        Assert.Equal(6, toTls);
        Assert.EndsWith("(if it is a TLS endpoint, add --tls)\n", toTlsError, StringComparison.Ordinal);
        Assert.Equal(5, toPlain);
        Assert.Equal($"tcpmsg send: timed out: connected to 127.0.0.1:{plainPort}, but it did not answer the TLS handshake within 1 s (is it a TLS endpoint?)\n", toPlainError);
    }

    private static ChildProcess Serve(params string[] options) =>
        ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--lang", "en", .. options]);

    private static async Task<(int Code, string Error)> SendAsync(params string[] arguments)
    {
        await using var send = ChildProcess.StartTcpMsg(["send", "--lang", "en", .. arguments]);
        var code = await send.WaitForExitAsync();
        return (code, send.Error);
    }

    /// <summary>What a raw TCP client (nc) receives until the server closes.</summary>
    private static async Task<string> ReadAllAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TestTimeouts.Default);
        var received = new MemoryStream();
        var buffer = new byte[256];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
