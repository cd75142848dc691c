using Microsoft.Extensions.Logging;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Security;

/// <summary>Token files that would weaken the door: tokens too short to resist guessing, a file that is not text.</summary>
public sealed class TokenFileTests : LoopbackTest
{
    private const string Valid = "a-valid-token-0123456789";

    private readonly CapturingLoggerProvider _log = new();

    [Fact]
    public async Task A_token_shorter_than_16_bytes_stops_the_server_from_starting_with_a_clear_error()
    {
        var tokens = Temp.File("tokens");
        await File.WriteAllTextAsync(tokens, $"{Valid}\nx\n", Token);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(tokens));

        Assert.Contains("at least 16 bytes", Flatten(error), StringComparison.Ordinal);
        Assert.Contains(tokens, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_replaced_by_random_bytes_is_rejected_with_a_warning_and_the_previous_tokens_stay()
    {
        var tokens = Temp.File("tokens");
        await File.WriteAllTextAsync(tokens, Valid + "\n", Token);
        await using var server = await StartAsync(tokens);

        var noise = new byte[256];
        new Random(19).NextBytes(noise);
        noise[7] = 0;
        await File.WriteAllBytesAsync(tokens, noise, Token);
        await Eventually.UntilAsync(() => _log.Entries.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("not", StringComparison.Ordinal) && e.Message.Contains("text", StringComparison.Ordinal)), "the warning");

        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Token = Valid }, Token);
        await client.SendAsync("still welcome", Token).WithTimeout();
    }

    private static string Flatten(Exception error) => error.InnerException is { } inner ? error.Message + " / " + Flatten(inner) : error.Message;

    private Task<TestServer> StartAsync(string tokens)
    {
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Information));
        var options = TcpMsgServerOptions.Default with { Security = TcpMsgSecurityOptions.Default with { TokenFiles = [tokens], FileReloadInterval = TimeSpan.FromMilliseconds(50) } };
        return TestServer.StartAsync(options, loggerFactory: loggerFactory);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
