using System.Net;
using TcpMsg.Server;
using TcpMsg.Server.Http;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Http;

/// <summary>A real server with a SQLite store and its HTTP endpoint, both on loopback ports the system chose.</summary>
public sealed class HttpTestServer : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private HttpTestServer(TestServer server, TempDirectory directory, string storePath)
    {
        Inner = server;
        _directory = directory;
        StorePath = storePath;
        // Whatever address it is bound to, the tests reach it over loopback only.
        var http = server.Server.HttpEndPoints[0];
        var host = http.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[::1]" : "127.0.0.1";
        BaseAddress = new Uri($"http://{host}:{http.Port}/");
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TestTimeouts.Default };
    }

    public TestServer Inner { get; }

    public TcpMsgServer Server => Inner.Server;

    public IPEndPoint TcpEndPoint => Inner.EndPoint;

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string StorePath { get; }

    public static async Task<HttpTestServer> StartAsync(
        TcpMsgHttpOptions? http = null,
        TcpMsgServerOptions? options = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var directory = new TempDirectory();
        var storePath = directory.File("http.db");
        options = (options ?? TcpMsgServerOptions.Default) with
        {
            Store = (options?.Store ?? StoreOptions.Default) with { Path = storePath },
            Http = http ?? TcpMsgHttpOptions.Default with { Endpoint = ListenEndpoint.ForAddress(IPAddress.Loopback, 0) },
        };
        var server = await TestServer.StartAsync(options, loggerFactory: loggerFactory);
        return new HttpTestServer(server, directory, storePath);
    }

    /// <summary>Sends lines over plain TCP and waits until the server has stored and handed them on.</summary>
    public async Task SendLinesAsync(params string[] lines)
    {
        var before = Inner.Sink.Texts.Count;
        using var client = await RawClient.ConnectAsync(TcpEndPoint);
        await client.SendAsync(string.Concat(lines.Select(l => l + "\n")));
        await Inner.Sink.WaitForMessagesAsync(before + lines.Length);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Inner.DisposeAsync();
        _directory.Dispose();
    }
}
