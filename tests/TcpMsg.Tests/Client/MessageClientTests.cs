using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Client;

public sealed class MessageClientTests : LoopbackTest
{
    [Fact]
    public async Task Messages_are_sent_as_lines_and_complete_waits_for_the_servers_close()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: TestContext.Current.CancellationToken);

        await client.SendAsync("一", TestContext.Current.CancellationToken);
        await client.SendAsync("two", TestContext.Current.CancellationToken);
        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();

        // The server closed only after reading everything, so the messages are already framed.
        await server.Sink.WaitForDisconnectsAsync(1);
        Assert.Equal(["一", "two"], server.Sink.Texts);
    }

    [Fact]
    public async Task A_message_larger_than_the_send_buffer_goes_out_whole()
    {
        await using var server = await TestServer.StartAsync();
        var options = MessageClientOptions.Default with { SendBufferSize = 1024 };
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, options, TestContext.Current.CancellationToken);
        var big = PlainServerTests_BuildText(200_000);

        await client.SendAsync("small", TestContext.Current.CancellationToken);
        await client.SendAsync(big, TestContext.Current.CancellationToken);
        await client.SendAsync("after", TestContext.Current.CancellationToken);
        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["small", big, "after"], server.Sink.Texts);
    }

    [Fact]
    public async Task Localhost_resolves_and_connects()
    {
        await using var server = await TestServer.StartAsync(endpoint: ListenEndpoint.Localhost(0));
        await using var client = await MessageClient.ConnectAsync("localhost", server.Port, cancellationToken: TestContext.Current.CancellationToken);

        await client.SendAsync("via localhost", TestContext.Current.CancellationToken);
        await client.CompleteAsync(TestContext.Current.CancellationToken).WithTimeout();

        await server.Sink.WaitForMessagesAsync(1);
    }

    [Fact]
    public async Task Cancellation_stops_a_connect_that_waits()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            MessageClient.ConnectAsync("127.0.0.1", 9, cancellationToken: cancel.Token));
    }

    private static string PlainServerTests_BuildText(int bytes) => TcpMsg.Tests.Server.PlainServerTests.BuildText(bytes);
}
