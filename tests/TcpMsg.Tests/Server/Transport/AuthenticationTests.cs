using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

public sealed class AuthenticationTests : LoopbackTest
{
    [Fact]
    public async Task With_a_token_file_only_clients_presenting_a_listed_token_may_post()
    {
        var tokens = Temp.File("tokens");
        await File.WriteAllLinesAsync(tokens, ["# operators", "s3cret-one-0123456789", "", "second token 0123456789"], Token);
        await using var server = await TestServer.StartAsync(Secure(s => s with { TokenFiles = [tokens] }));

        await using var good = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Token = "second token 0123456789" }, Token);
        await good.SendAsync("authenticated", Token).WithTimeout();
        var missing = await Assert.ThrowsAsync<TcpMsgException>(() => MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token));
        var wrong = await Assert.ThrowsAsync<TcpMsgException>(() => MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Token = "s3cret-one-012345678" }, Token));

        Assert.Equal(1, good.Statistics.Delivered);
        Assert.Equal(TcpMsgErrorCode.Unauthorized, missing.Code);
        Assert.Equal(TcpMsgErrorCode.Unauthorized, wrong.Code);
        Assert.Contains("requires a token", missing.Message, StringComparison.Ordinal);
        Assert.Contains("not valid", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(["authenticated"], server.Sink.Texts);
        await server.Sink.WaitUntilAsync(e => e.OfType<ConnectionError>().Any(x => x.Code == TcpMsgErrorCode.Unauthorized), what: "the refusal report");
    }

    [Fact]
    public async Task A_changed_token_file_is_read_again()
    {
        var tokens = Temp.File("tokens");
        await File.WriteAllTextAsync(tokens, "old-token-0123456789\n", Token);
        await using var server = await TestServer.StartAsync(Secure(s => s with { TokenFiles = [tokens], FileReloadInterval = TimeSpan.FromMilliseconds(50) }));

        await File.WriteAllTextAsync(tokens, "new-token-0123456789\n", Token);

        await Eventually.UntilAsync(() => CanConnect(server.Port, "new-token-0123456789"), "the new token to be accepted");
        Assert.False(await CanConnect(server.Port, "old-token-0123456789"));
    }

    [Fact]
    public async Task A_missing_token_file_stops_the_server_from_starting()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(Secure(s => s with { TokenFiles = [Temp.File("absent")] })));
    }

    [Fact]
    public async Task With_plain_mode_off_a_plain_client_is_told_why_and_closed_and_confirmed_clients_still_post()
    {
        await using var server = await TestServer.StartAsync(Secure(s => s with { AllowPlain = false }));
        using var plain = await RawClient.ConnectAsync(server.EndPoint);
        await plain.SendAsync("hello?\n");
        var answer = new byte[256];
        var length = await plain.Socket.ReceiveAsync(answer, System.Net.Sockets.SocketFlags.None).WithTimeout();
        await using var confirmed = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);
        await confirmed.SendAsync("confirmed only", Token).WithTimeout();

        Assert.StartsWith("tcpmsg: this server accepts only tcpmsg clients", System.Text.Encoding.UTF8.GetString(answer, 0, length), StringComparison.Ordinal);
        Assert.Equal(["confirmed only"], server.Sink.Texts);
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Contains(events.OfType<ClientDisconnected>(), d => d.Reason == TcpMsgErrorCode.Unauthorized);
    }

    [Fact]
    public async Task A_confirmed_client_that_never_says_hello_is_closed_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(Secure(s => s with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) }));
        await using var silent = await FrameClient.ConnectAsync(server.EndPoint);
        await silent.SendAsync([.. ConfirmedPreamble.Bytes]);

        var closed = await silent.ReadFrameAsync();

        Assert.Null(closed);
        var events = await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(TcpMsgErrorCode.HandshakeTimeout, events.OfType<ClientDisconnected>().Single().Reason);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.HandshakeTimeout);
    }

    [Fact]
    public async Task Hello_in_time_is_not_affected_by_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(Secure(s => s with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) }));
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);

        // The connection outlives the handshake timeout because HELLO came in time.
        await Eventually.UntilAsync(() => server.Server.Statistics.ActiveConnections == 1, "the connection to be counted");
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < TimeSpan.FromMilliseconds(700))
        {
            await client.SendAsync("still welcome", Token).WithTimeout();
        }

        await client.CompleteAsync(Token).WithTimeout();
        Assert.DoesNotContain(server.Sink.OfType<ClientDisconnected>(), d => d.Reason == TcpMsgErrorCode.HandshakeTimeout);
    }

    private static async Task<bool> CanConnect(int port, string token)
    {
        try
        {
            await using var client = await MessageClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default with { Token = token }, TestContext.Current.CancellationToken);
            return true;
        }
        catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.Unauthorized)
        {
            return false;
        }
    }

    private static TcpMsgServerOptions Secure(Func<TcpMsgSecurityOptions, TcpMsgSecurityOptions> change) =>
        TcpMsgServerOptions.Default with { Security = change(TcpMsgSecurityOptions.Default) };

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
