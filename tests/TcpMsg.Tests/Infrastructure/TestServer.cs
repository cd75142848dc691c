using System.Net;
using TcpMsg.Server;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A real server on a loopback port the system chose, recording its events.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(TcpMsgServer server, CollectingSink sink)
    {
        Server = server;
        Sink = sink;
    }

    public TcpMsgServer Server { get; }

    public CollectingSink Sink { get; }

    public int Port => Server.LocalEndPoints[0].Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<TestServer> StartAsync(
        TcpMsgServerOptions? options = null,
        CollectingSink? sink = null,
        ListenEndpoint? endpoint = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null)
    {
        sink ??= new CollectingSink();
        options = (options ?? TcpMsgServerOptions.Default) with
        {
            Endpoints = [endpoint ?? ListenEndpoint.ForAddress(IPAddress.Loopback, 0)],
        };
        var server = await TcpMsgServer.StartAsync(options, [sink], loggerFactory, time, CancellationToken.None).WithTimeout();
        return new TestServer(server, sink);
    }

    /// <summary>A server whose one loopback endpoint speaks TLS with <paramref name="tls"/>.</summary>
    public static Task<TestServer> StartTlsAsync(
        TlsServerOptions tls,
        TcpMsgServerOptions? options = null,
        Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        options ??= TcpMsgServerOptions.Default;
        options = options with { Security = options.Security with { Tls = tls } };
        return StartAsync(options, endpoint: ListenEndpoint.ForAddress(IPAddress.Loopback, 0) with { Tls = true }, loggerFactory: loggerFactory);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync().AsTask().WithTimeout();
}
