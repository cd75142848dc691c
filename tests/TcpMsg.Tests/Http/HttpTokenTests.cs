using System.Net;
using System.Net.Http.Headers;
using TcpMsg.Server;
using TcpMsg.Server.Http;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

public sealed class HttpTokenTests : LoopbackTest
{
    private const string Secret = "s3cret-token-for-the-tests-0123456789";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Off_loopback_the_endpoint_refuses_to_start_without_a_token_and_says_why()
    {
        var options = TcpMsgServerOptions.Default with
        {
            Store = null,
            Http = TcpMsgHttpOptions.Default with { Endpoint = ListenEndpoint.ForAddress(IPAddress.Any, 0) },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(options));
        Assert.Contains("token", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_every_request_but_health_needs_the_token_as_bearer_or_login_cookie()
    {
        await using var server = await HttpTestServer.StartAsync(TcpMsgHttpOptions.Default with
        {
            Endpoint = ListenEndpoint.ForAddress(IPAddress.Any, 0),
            Token = Secret,
        });
        foreach (var path in new[] { "", "metrics", "api/messages", "api/stats" })
        {
            using var refused = await server.Client.GetAsync(path, Token).WithTimeout();
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var health = await server.Client.GetAsync("healthz", Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Secret + "x") } })
        using (var response = await server.Client.SendAsync(wrong, Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Secret) } })
        using (var response = await server.Client.SendAsync(bearer, Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The login link: the cookie is set, the token leaves the address.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        using (var login = await browser.GetAsync($"?token={Uri.EscapeDataString(Secret)}", Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
            Assert.Equal("/", login.Headers.Location?.OriginalString);
            var cookie = Assert.Single(cookies.GetCookies(server.BaseAddress));
            Assert.Equal(TcpMsgHttpOptions.TokenCookie, cookie.Name);
            Assert.True(cookie.HttpOnly);
        }

        using (var page = await browser.GetAsync("", Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        using (var badLogin = await server.Client.GetAsync("?token=nope", Token).WithTimeout())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, badLogin.StatusCode);
        }
    }

    [Fact]
    public async Task On_loopback_no_token_is_needed()
    {
        await using var server = await HttpTestServer.StartAsync();
        using var response = await server.Client.GetAsync("api/messages", Token).WithTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Serve_refuses_a_non_loopback_http_address_without_a_token_file_in_one_line()
    {
        var (exitCode, console) = await InProcessCli.RunAsync(string.Empty, "serve", "--no-store", "--listen", "127.0.0.1:0", "--http", "0.0.0.0:0");

        Assert.Equal(TcpMsg.Cli.ExitCodes.Usage, exitCode);
        var line = Assert.Single(console.ErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tcpmsg: ", line, StringComparison.Ordinal);
        Assert.Contains("--http-token-file", line, StringComparison.Ordinal);
    }
}
