using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

public sealed class ConfirmedModeTests : LoopbackTest
{
    [Fact]
    public async Task A_message_is_acknowledged_with_its_store_id_only_after_it_was_stored_and_shown()
    {
        await using var server = await StartWithStoreAsync();
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);

        var id = await client.SendAsync("你好,世界!!!", Token).WithTimeout();

        Assert.False(client.IsPlain);
        var shown = Assert.Single(server.Sink.Messages);
        Assert.Equal(1, shown.Sequence);
        Assert.True(id > 0);
        Assert.Equal(shown.Id, id);
        Assert.Equal(client.ClientId, shown.ClientId);
        Assert.Equal(MessageFraming.Confirmed, shown.Framing);
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(id, history.Read(HistoryQuery.Default).Single().Id);
    }

    [Fact]
    public async Task Many_messages_stream_through_the_window_and_complete_waits_for_every_ack()
    {
        await using var server = await StartWithStoreAsync();
        var options = MessageClientOptions.Default with { Window = 64 };
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, options, Token);

        for (var i = 1; i <= 5000; i++)
        {
            await client.EnqueueAsync($"流 {i}", Token);
        }

        await client.CompleteAsync(Token).WithTimeout();

        Assert.Equal(5000, client.Statistics.Delivered);
        Assert.Equal(0, client.Statistics.Failed);
        Assert.Equal(5000, server.Server.Statistics.MessagesStored);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"流 {i}"), server.Sink.Texts);
        var disconnect = (await server.Sink.WaitForDisconnectsAsync(1)).OfType<ClientDisconnected>().Single();
        Assert.Equal(TcpMsgErrorCode.PeerClosed, disconnect.Reason);
    }

    [Fact]
    public async Task Plain_and_confirmed_clients_share_a_server()
    {
        await using var server = await StartWithStoreAsync();
        await using var confirmed = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);
        using var plain = await RawClient.ConnectAsync(server.EndPoint);

        await plain.SendAsync("plain one\n");
        await confirmed.SendAsync("confirmed one", Token).WithTimeout();
        await plain.SendAsync("plain two\n");
        await plain.ShutdownAndWaitForCloseAsync();
        await confirmed.CompleteAsync(Token).WithTimeout();
        await server.Sink.WaitForDisconnectsAsync(2);

        Assert.Equal(["confirmed one", "plain one", "plain two"], server.Sink.Texts.Order(StringComparer.Ordinal));
        Assert.Contains("confirmed one", server.Sink.Texts);
        Assert.Equal(["plain one", "plain two"], server.Sink.Texts.Where(t => t.StartsWith("plain", StringComparison.Ordinal)));
        Assert.All(server.Sink.Messages, m => Assert.True(m.Id > 0));
    }

    [Fact]
    public async Task A_resent_message_is_acknowledged_with_its_first_id_and_neither_stored_nor_shown_twice()
    {
        await using var server = await StartWithStoreAsync();
        long firstId;
        await using (var first = await FrameClient.ConnectAsync(server.EndPoint, "resender"))
        {
            Assert.Equal(0, Assert.IsType<WelcomeFrame>((await first.ReadFrameAsync())!.Frame).LastSequence);
            await first.SendMessageAsync(1, "once");
            await first.SendMessageAsync(2, "twice");
            var ack = await first.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 2 });
            firstId = ((AckFrame)ack[^1].Frame).Id;
        }

        // The id is free again once the server has seen the first connection end; before that a
        // second HELLO with it is refused (ClientIdInUse), which is not what this test is about.
        await server.Sink.WaitForDisconnectsAsync(1);
        await using var again = await FrameClient.ConnectAsync(server.EndPoint, "resender");
        var welcome = Assert.IsType<WelcomeFrame>((await again.ReadFrameAsync())!.Frame);
        Assert.Equal(2, welcome.LastSequence);
        await again.SendMessageAsync(2, "twice");
        await again.SendMessageAsync(3, "new");
        var acks = await again.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 3 });

        Assert.Equal(["once", "twice", "new"], server.Sink.Texts);
        Assert.Equal(1, server.Server.Statistics.DuplicateMessages);
        Assert.Equal(3, server.Server.Statistics.MessagesStored);
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal(3, history.Read(HistoryQuery.Default).Count);
        Assert.Equal(firstId, history.Read(HistoryQuery.Default).Single(m => m.Sequence == 2).Id);
    }

    [Fact]
    public async Task Duplicates_are_recognised_without_a_store_too()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "memory");
        await client.ReadFrameAsync();

        await client.SendMessageAsync(1, "a");
        await client.SendMessageAsync(1, "a");
        await client.SendMessageAsync(2, "b");
        var frames = await client.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 2 });

        Assert.Equal(["a", "b"], server.Sink.Texts);
        Assert.Equal(1, server.Server.Statistics.DuplicateMessages);
        Assert.All(frames.Select(f => f.Frame).OfType<AckFrame>(), a => Assert.Equal(0, a.Id));
    }

    [Fact]
    public async Task A_sequence_gap_is_stored_and_counted()
    {
        await using var server = await StartWithStoreAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "gappy");
        await client.ReadFrameAsync();

        await client.SendMessageAsync(1, "one");
        await client.SendMessageAsync(5, "five");
        await client.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 5 });

        Assert.Equal(3, server.Server.Statistics.SequenceGaps);
        Assert.Equal(["one", "five"], server.Sink.Texts);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_an_error_and_the_connection_goes_on()
    {
        await using var server = await StartWithStoreAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "bad-bytes");
        await client.ReadFrameAsync();

        await client.SendAsync(w => MessageFrame.Write(w, 1, [0xC3, 0x28]));
        await client.SendMessageAsync(2, "good");
        var frames = await client.ReadUntilAsync(f => f.Frame is AckFrame { Sequence: 2 });

        var error = frames.Select(f => f.Frame).OfType<ErrorFrame>().Single();
        Assert.Equal((1L, ProtocolErrorCode.InvalidUtf8), (error.Sequence, error.Code));
        Assert.Equal(["good"], server.Sink.Texts);
        Assert.Contains(server.Sink.OfType<ConnectionError>(), e => e.Code == TcpMsgErrorCode.InvalidUtf8);
    }

    [Theory]
    [InlineData("a frame larger than the limit")]
    [InlineData("a huge declared length")]
    [InlineData("an unknown frame type")]
    [InlineData("a message before hello")]
    [InlineData("garbage after the preamble")]
    [InlineData("a second hello")]
    [InlineData("an unsupported version")]
    public async Task A_protocol_violation_gets_an_error_frame_and_closes_only_that_connection(string violation)
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = 1024 });
        using var bystander = await RawClient.ConnectAsync(server.EndPoint);
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, violation is "a message before hello" or "garbage after the preamble" or "an unsupported version" ? null : "violator");
        byte[] preamble = [.. ConfirmedPreamble.Bytes];
        byte[] bytes = violation switch
        {
            "a frame larger than the limit" => FrameHarness.Encode(w => MessageFrame.Write(w, 1, new string('x', 2000))),
            "a huge declared length" => [0x7F, 0xFF, 0xFF, 0xFF, 0x03],
            "an unknown frame type" => [0, 0, 0, 1, 0x42],
            "a message before hello" => [.. preamble, .. FrameHarness.Encode(w => MessageFrame.Write(w, 1, "early"))],
            "garbage after the preamble" => [.. preamble, .. "GET / HTTP/1.1\r\n\r\n"u8],
            "a second hello" => FrameHarness.Encode(w => new HelloFrame(1, "again").Write(w)),
            _ => [.. preamble, .. FrameHarness.Encode(w => new HelloFrame(9, "future").Write(w))],
        };

        await client.SendAsync(bytes);
        var frames = await client.ReadUntilAsync(f => f.Frame is ErrorFrame);
        var closed = await client.ReadFrameAsync();

        var error = Assert.IsType<ErrorFrame>(frames[^1].Frame);
        Assert.Equal(0, error.Sequence);
        Assert.Null(closed);
        await bystander.SendAsync("unaffected\n");
        await bystander.ShutdownAndWaitForCloseAsync();
        var events = await server.Sink.WaitForDisconnectsAsync(2);
        Assert.Equal(["unaffected"], server.Sink.Texts);
        Assert.Contains(events.OfType<ConnectionError>(), e => e.Code is TcpMsgErrorCode.ProtocolError or TcpMsgErrorCode.MessageTooLarge);
        Assert.Contains(events.OfType<ClientDisconnected>(), d => d.Reason is TcpMsgErrorCode.ProtocolError or TcpMsgErrorCode.MessageTooLarge);
    }

    [Fact]
    public async Task Garbage_before_the_preamble_is_just_plain_text()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync([(byte)'x', .. ConfirmedPreamble.Bytes, (byte)'\n']);
        await client.ShutdownAndWaitForCloseAsync();
        await server.Sink.WaitForDisconnectsAsync(1);

        var message = Assert.Single(server.Sink.Messages);
        Assert.Equal(MessageFraming.Line, message.Framing);
        Assert.StartsWith("x\0tcpmsg", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_refuses_locally_a_message_larger_than_the_servers_limit()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = 100 });
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token);

        var error = await Assert.ThrowsAsync<TcpMsgException>(() => client.SendAsync(new string('z', 101), Token));
        await client.SendAsync(new string('z', 100), Token).WithTimeout();

        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(1, client.Statistics.Delivered);
    }

    [Fact]
    public async Task A_server_that_never_acknowledges_makes_send_fail_within_the_ack_timeout_instead_of_hanging()
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen();
        var mute = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync(Token);
            await peer.SendAsync(FrameHarness.Encode(new WelcomeFrame(1, 0, 1000).Write), System.Net.Sockets.SocketFlags.None);
            var sink = new byte[4096];
            while (await peer.ReceiveAsync(sink, System.Net.Sockets.SocketFlags.None) > 0)
            {
            }
        }, Token);
        var options = MessageClientOptions.Default with { AckTimeout = TimeSpan.FromMilliseconds(300) };
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port, options, Token);

        var error = await Assert.ThrowsAsync<TcpMsgException>(() => client.SendAsync("into the void", Token).WithTimeout());

        Assert.Equal(TcpMsgErrorCode.TimedOut, error.Code);
        await client.DisposeAsync();
        await mute.WithTimeout();
    }

    [Fact]
    public async Task Cancellation_is_honoured_while_waiting_for_window_room()
    {
        await using var server = await TestServer.StartAsync();
        var release = new TaskCompletionSource();
        server.Sink.Gate = ct => release.Task.WaitAsync(ct);
        await using var client = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Window = 1 }, Token);
        await client.EnqueueAsync("fills the window", Token);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.EnqueueAsync("waits", cancel.Token).AsTask());

        release.SetResult();
        await client.CompleteAsync(Token).WithTimeout();
        Assert.Equal(1, client.Statistics.Delivered);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string StorePath => Temp.File("confirmed.db");

    private Task<TestServer> StartWithStoreAsync(TcpMsgServerOptions? options = null) =>
        TestServer.StartAsync((options ?? TcpMsgServerOptions.Default) with { Store = StoreOptions.Default with { Path = StorePath } });
}
