using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class HostingTests : LoopbackTest
{
    [Fact]
    public async Task An_existing_web_host_serves_tcpmsg_next_to_its_own_endpoints_and_hands_messages_to_a_callback()
    {
        var received = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions? listen = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTcpMsgServer();
        builder.Services.AddTcpMsgMessageHandler((message, _) =>
        {
            received.TrySetResult(message);
            return ValueTask.CompletedTask;
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenTcpMsg(ListenEndpoint.ForAddress(IPAddress.Loopback, 0), l => listen = l));
        await using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);

        using var client = await RawClient.ConnectAsync((IPEndPoint)listen!.EndPoint);
        await client.SendAsync("embedded 嵌入\n");
        var message = await received.Task.WithTimeout();

        Assert.Equal("embedded 嵌入", message.Text);
        Assert.Equal("127.0.0.1", message.Connection.Address);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public void The_transport_buffers_one_small_window_whatever_the_largest_message(int maxMessageSize)
    {
        // Not Kestrel's 1 MiB default, nor the largest message: a flood of paused connections stays
        // small, and longer messages move into the read budget (ReadBudgetTests).
        var services = new ServiceCollection();
        services.AddTcpMsgServer(TcpMsgServerOptions.Default with { MaxMessageSize = maxMessageSize });
        using var provider = services.BuildServiceProvider();

        var transport = provider.GetRequiredService<IOptions<SocketTransportOptions>>().Value;

        Assert.Equal(TcpMsg.Server.Internal.Transport.ReadBudget.Window, transport.MaxReadBufferSize);
    }
}
