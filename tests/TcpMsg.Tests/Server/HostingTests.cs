using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
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
}
