using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

/// <summary>The scenario (#14): a burst far larger than the room's window, readers that keep up, one that never reads.</summary>
public sealed class ChatBurstTests : LoopbackTest
{
    private string StorePath => Temp.File("chat.db");

    [Fact]
    public async Task Three_readers_get_all_100000_lines_of_a_burst_in_order_and_only_the_member_that_never_reads_is_removed_after_the_timeout()
    {
        const int Total = 100_000;
        await using var server = await StartAsync(ChatOptions.Default);

        // Its receive window is tiny and it never reads.
        using var stalled = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken).AsTask().WithTimeout();
        await using var first = await FastChatReader.ConnectAsync(server.EndPoint);
        await using var second = await FastChatReader.ConnectAsync(server.EndPoint);
        await using var third = await FastChatReader.ConnectAsync(server.EndPoint);
        FastChatReader[] readers = [first, second, third];
        var stalledPort = ((System.Net.IPEndPoint)stalled.LocalEndPoint!).Port;
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 4, what: "the members connected");

        // The flooder sends as fast as it can and reads nothing.
        using var flooder = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await flooder.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken).AsTask().WithTimeout();
        await FloodAsync(flooder, Total).WithTimeout(TestTimeouts.Extended);

        foreach (var reader in readers)
        {
            await reader.WaitForAsync(Total, TimeSpan.FromMinutes(3));
        }

        foreach (var reader in readers)
        {
            Assert.False(reader.Closed, "a reader was disconnected");
            Assert.Equal(Enumerable.Range(1, Total), reader.Numbers());
        }

        await Eventually.UntilAsync(() => server.Statistics.MessagesStored == Total, "every line stored");
        using (var history = MessageHistory.Open(StorePath))
        {
            var stored = history.Read(HistoryQuery.Default with { Limit = Total + 1 });
            Assert.Equal(Enumerable.Range(1, Total), stored.Select(m => int.Parse(m.Text.AsSpan(0, 6), CultureInfo.InvariantCulture)));
        }

        // The burst was ten times the window, and the member that never read was never in the way: memory stayed bounded.
        Assert.InRange(server.Statistics.ChatQueuePeakBytes, 1, ChatOptions.Default.MaxQueuedBytes + 200);

        // The member that never reads is still there, however far behind, until its socket took nothing for 30 s.
        Assert.Equal(0, server.Statistics.SlowClientsDisconnected);
        server.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, server.Statistics.SlowClientsDisconnected);
        Assert.DoesNotContain(server.Sink.OfType<ClientDisconnected>(), d => d.Connection.RemoteEndPoint!.Port == stalledPort);

        server.Time.Advance(TimeSpan.FromSeconds(1));
        var farewell = Task.Run(() => LastLineAsync(stalled));
        var events = await server.Sink.WaitUntilAsync(
            e => e.OfType<ClientDisconnected>().Any(d => d.Reason == TcpMsgErrorCode.SlowConsumer),
            what: "the stalled member's removal");
        var removed = events.OfType<ClientDisconnected>().Single(d => d.Reason == TcpMsgErrorCode.SlowConsumer);
        Assert.Equal(stalledPort, removed.Connection.RemoteEndPoint!.Port);
        var logged = events.OfType<ConnectionError>().Single(e => e.Code == TcpMsgErrorCode.SlowConsumer);
        Assert.Equal($"127.0.0.1:{stalledPort} (127.0.0.1:{stalledPort}) took no bytes for 30 s; disconnected", logged.Detail);
        Assert.Equal(1, server.Statistics.SlowClientsDisconnected);
        Assert.Equal("*** you took no bytes for 30 s; disconnected", await farewell.WithTimeout(TestTimeouts.Extended));

        // Nobody else was removed: the readers, and the flooder that never read either.
        Assert.Single(server.Sink.OfType<ClientDisconnected>());
        Assert.All(readers, r => Assert.False(r.Closed));
        await Eventually.UntilAsync(() => first.Notices().Contains($"*** 127.0.0.1:{stalledPort} left (too slow)"), "the others told why it left");
    }

    [Fact]
    public async Task A_member_that_pauses_reading_gets_everything_it_missed_exactly_once_then_goes_on_live()
    {
        const int Total = 20_000;
        await using var server = await StartAsync(ChatOptions.Default with { MaxQueuedMessages = 500 });
        await using var pausing = await FastChatReader.ConnectAsync(server.EndPoint);
        await using var steady = await FastChatReader.ConnectAsync(server.EndPoint);
        await using var poster = await PlainChatClient.ConnectAsync(server.EndPoint);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 3, what: "the members connected");

        await SendNumberedAsync(poster, 1, 1000);
        await pausing.WaitForAsync(1000);
        pausing.Pause();
        await SendNumberedAsync(poster, 1001, Total - 1000);
        await steady.WaitForAsync(Total);

        // Far behind the window, never removed however long it took (the clock is the test's), it catches up.
        pausing.Resume();
        await pausing.WaitForAsync(Total);
        await SendNumberedAsync(poster, Total + 1, 10);
        await pausing.WaitForAsync(Total + 10);
        await steady.WaitForAsync(Total + 10);

        Assert.Equal(Enumerable.Range(1, Total + 10), pausing.Numbers());
        Assert.Equal(Enumerable.Range(1, Total + 10), steady.Numbers());
        Assert.True(server.Statistics.ChatCaughtUp > 0, "the paused member never read the store");
        Assert.Equal(0, server.Statistics.ChatDropped);
        Assert.Empty(server.Sink.OfType<ClientDisconnected>());
    }

    [Fact]
    public async Task A_member_catching_up_from_the_store_gets_the_joins_and_leaves_in_their_place()
    {
        const int Total = 16_000;
        await using var server = await StartAsync(ChatOptions.Default with { MaxQueuedMessages = 100 });
        await using var pausing = await FastChatReader.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        await using var steady = await FastChatReader.ConnectAsync(server.EndPoint);
        await using var poster = await PlainChatClient.ConnectAsync(server.EndPoint);
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 3, what: "the members connected");
        await SendNumberedAsync(poster, 1, 50);
        await pausing.WaitForAsync(50);
        pausing.Pause();

        // While it does not read: 8 MB of lines of 1 KB (more than the sockets' buffers hold, so it
        // is far out of the window), a member joins, 4 MB more, it leaves, 4 MB more.
        await SendNumberedAsync(poster, 51, 7_950, LongLine);
        await steady.WaitForAsync(8_000);
        var visitor = await PlainChatClient.ConnectAsync(server.EndPoint);
        await visitor.SendLineAsync("/nick visitor");
        await Eventually.UntilAsync(() => steady.Notices().Any(n => n.Contains("visitor", StringComparison.Ordinal)), "the visitor's arrival");
        await SendNumberedAsync(poster, 8_001, 4_000, LongLine);
        await steady.WaitForAsync(12_000);
        await visitor.DisposeAsync();
        await Eventually.UntilAsync(() => steady.Notices().Any(n => n.Contains("visitor left", StringComparison.Ordinal)), "the visitor's leaving");
        await SendNumberedAsync(poster, 12_001, Total - 12_000, LongLine);
        await steady.WaitForAsync(Total);

        pausing.Resume();
        await pausing.WaitForAsync(Total);

        // It read the messages from the store, and the notices came between them where the others saw them.
        Assert.True(server.Statistics.ChatCaughtUp > 0, "the paused member never read the store");
        var caughtUp = pausing.Transcript();
        Assert.Equal(steady.Transcript().SkipWhile(line => line != "50"), caughtUp.SkipWhile(line => line != "50"));
        Assert.Contains(caughtUp, line => line.EndsWith(" joined", StringComparison.Ordinal) && caughtUp.IndexOf(line) > caughtUp.IndexOf("8000"));
        Assert.Contains(caughtUp, line => line.Contains("visitor left", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, Total), pausing.Numbers());
    }

    [Fact]
    public async Task Without_a_store_a_lagging_member_holds_the_posters_back_and_misses_nothing()
    {
        const int Total = 5_000;
        await using var server = await StartAsync(ChatOptions.Default with { MaxQueuedMessages = 100 }, store: false);
        await using var lagging = await FastChatReader.ConnectAsync(server.EndPoint);
        using var poster = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await poster.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken).AsTask().WithTimeout();
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Count() == 2, what: "the members connected");

        lagging.Pause();
        var flood = FloodAsync(poster, Total);

        // The window (100 entries) is the only copy: the room cannot let go of what the member has
        // not read, so the dispatcher, and behind it the poster, wait for it.
        await Eventually.UntilAsync(() => server.Statistics.MessagesReceived > 100, "the first messages");
        lagging.Resume();
        await flood.WithTimeout(TestTimeouts.Extended);
        await lagging.WaitForAsync(Total);
        Assert.Equal(Enumerable.Range(1, Total), lagging.Numbers());
        Assert.Equal(0, server.Statistics.ChatDropped);
        Assert.Empty(server.Sink.OfType<ClientDisconnected>());
    }

    [Fact]
    public async Task A_silent_plain_reader_joins_at_once_and_gets_a_line_posted_right_after_it_connected()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Chat = ChatOptions.Default });
        await using var silent = await PlainChatClient.ConnectAsync(server.EndPoint);

        // No wait: the moment the server has seen the connection, something is posted.
        await server.Sink.WaitUntilAsync(e => e.OfType<ClientConnected>().Any(c => c.Connection.RemoteEndPoint!.Port == silent.LocalEndPoint.Port), what: "the connection");
        await server.Server.PostAsync("right after you came", TestContext.Current.CancellationToken).WithTimeout();

        Assert.EndsWith("server> right after you came", await silent.ReadUntilAsync("right after you came"), StringComparison.Ordinal);
    }

    private static async Task FloodAsync(Socket socket, int total)
    {
        // Lines of 60 bytes (and LF), written in large chunks, as fast as the socket takes them.
        var chunk = new StringBuilder();
        for (var i = 1; i <= total; i++)
        {
            chunk.Append(Line(i)).Append('\n');
            if (chunk.Length > 60_000 || i == total)
            {
                var bytes = Encoding.ASCII.GetBytes(chunk.ToString());
                for (var sent = 0; sent < bytes.Length;)
                {
                    sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
                }

                chunk.Clear();
            }
        }
    }

    private static async Task SendNumberedAsync(PlainChatClient client, int from, int count, Func<int, string>? line = null)
    {
        var text = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            text.Append((line ?? Line)(i)).Append('\n');
        }

        await client.SendAsync(text.ToString());
    }

    private static string Line(int i) => i.ToString("D6", CultureInfo.InvariantCulture) + new string('.', 54);

    private static string LongLine(int i) => i.ToString("D6", CultureInfo.InvariantCulture) + new string('.', 994);

    /// <summary>Reads a socket to its end; the last complete line.</summary>
    private static async Task<string?> LastLineAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var tail = new List<byte>();
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                tail.AddRange(buffer.AsSpan(0, read));
                if (tail.Count > 4096)
                {
                    tail.RemoveRange(0, tail.Count - 4096);
                }
            }
        }
        catch (SocketException)
        {
            // A reset after the last bytes: what came is what counts.
        }

        var text = Encoding.UTF8.GetString([.. tail]).TrimEnd('\n');
        return text[(text.LastIndexOf('\n') + 1)..];
    }

    private Task<FakeClockServer> StartAsync(ChatOptions chat, bool store = true) => FakeClockServer.StartAsync(TcpMsgServerOptions.Default with
    {
        Chat = chat,
        Store = store ? StoreOptions.Default with { Path = StorePath, Durability = Durability.Process } : null,
    });
}
