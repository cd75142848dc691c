using Microsoft.Extensions.Logging;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>
/// A real TLS 1.2 client (openssl s_client) that asks to renegotiate, by its interactive "R"
/// command: the server refuses it, ends that connection with a debug line (no error report, no
/// unhandled exception from the TLS close while the handshake is half done), and goes on serving.
/// </summary>
public sealed class TlsRenegotiationTests : LoopbackTest
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly CapturingLoggerProvider _log = new();

    public override ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task A_client_asking_to_renegotiate_is_a_debug_line_and_the_server_goes_on_serving()
    {
        var openssl = ExternalTools.Require("openssl");
        using var loggers = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Debug));
        var tls = new TlsServerOptions { CertificateFile = _pki.WritePem(_pki.IssueServer(), "server.pem") };
        await using var server = await TestServer.StartTlsAsync(tls, loggerFactory: loggers);

        // Interactive s_client (neither -quiet nor -ign_eof): a line "R" alone asks to renegotiate.
        await using (var client = ChildProcess.Start(
            openssl,
            ["s_client", "-tls1_2", "-connect", $"127.0.0.1:{server.Port}", "-CAfile", _pki.AuthorityFile, "-servername", "localhost"]))
        {
            await client.WriteInputAsync("before renegotiation\n");
            await server.Sink.WaitForMessagesAsync(1);
            await client.WriteInputAsync("R\n");
            await Eventually.UntilAsync(() => _log.Entries.Any(e => e.Message.Contains("renegotiate", StringComparison.Ordinal)), "the renegotiation's log line");
            client.CloseInput();
            await client.WaitForExitAsync();
            Assert.Contains("RENEGOTIATING", client.Out + client.Error, StringComparison.Ordinal);
        }

        await server.Sink.WaitForDisconnectsAsync(1);
        var line = Assert.Single(_log.Entries, e => e.Message.Contains("renegotiate", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, line.Level);
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("Unhandled", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.ProtocolError);

        // The server goes on serving.
        await using var next = await TlsTestClient.ConnectAsync(server.EndPoint, _pki.Authority);
        await next.SendAsync("still serving\n");
        Assert.True(await next.FinishAsync());
        await server.Sink.WaitForDisconnectsAsync(2);
        Assert.Equal(["before renegotiation", "still serving"], server.Sink.Texts);
    }
}
