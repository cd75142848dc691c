using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

public sealed partial class ServeHttpTests : LoopbackTest
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_with_http_says_where_the_page_is_and_serves_it_beside_the_tcp_listener()
    {
        using var directory = new TempDirectory();
        await using var cli = await InProcessCli.ServeAsync("--store", directory.File("serve.db"), "--http", "127.0.0.1:0");
        var match = HttpLine().Match(cli.Console.ErrorText);
        Assert.True(match.Success, cli.Console.ErrorText);

        using var http = new HttpClient { BaseAddress = new Uri(match.Groups["url"].Value), Timeout = TestTimeouts.Default };
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, cli.Port, Token);
            await client.GetStream().WriteAsync("你好,世界!!!\n"u8.ToArray(), Token);
        }

        await Eventually.UntilAsync(
            async () => (await http.GetStringAsync("api/messages", Token)).Contains("你好,世界!!!", StringComparison.Ordinal),
            "the message in the API");
        using var page = await http.GetAsync("", Token).WithTimeout();
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", page.Content.Headers.ContentType?.CharSet);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_reads_the_token_file_and_refuses_a_short_token()
    {
        using var directory = new TempDirectory();
        var tokenFile = directory.File("token");
        await File.WriteAllTextAsync(tokenFile, "short\n", Token);

        var (exitCode, console) = await InProcessCli.RunAsync(string.Empty, "serve", "--no-store", "--listen", "127.0.0.1:0", "--http", "0.0.0.0:0", "--http-token-file", tokenFile);

        Assert.Equal(TcpMsg.Cli.ExitCodes.Usage, exitCode);
        Assert.Contains("at least 16 characters", console.ErrorText, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"live page, API and metrics on (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex HttpLine();
}
