using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

/// <summary>
/// A real tcpmsg server on a loopback port, in a host of its own whose clock is a
/// <see cref="FakeTimeProvider"/>: the test moves time, so timeouts are tested without waiting.
/// </summary>
public sealed class FakeClockServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeClockServer(WebApplication app, FakeTimeProvider time, CollectingSink sink, IPEndPoint endPoint)
    {
        _app = app;
        Time = time;
        Sink = sink;
        EndPoint = endPoint;
    }

    public FakeTimeProvider Time { get; }

    public CollectingSink Sink { get; }

    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    public ServerStatistics Statistics => _app.Services.GetRequiredService<ServerStatistics>();

    public static async Task<FakeClockServer> StartAsync(TcpMsgServerOptions options)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new CollectingSink();
        ListenOptions? listen = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddTcpMsgServer(options);
        builder.Services.AddTcpMsgEventSink(sink);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenTcpMsg(ListenEndpoint.ForAddress(IPAddress.Loopback, 0), l => listen = l));
        var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken).WithTimeout();
        return new FakeClockServer(app, time, sink, (IPEndPoint)listen!.EndPoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WithTimeout(TestTimeouts.Extended);
        await _app.DisposeAsync();
    }
}
