using System.Globalization;
using System.Text.RegularExpressions;
using TcpMsg.Client;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

public sealed partial class ChatRoomTests : LoopbackTest
{
    private string StorePath => Temp.File("chat.db");

    [Fact]
    public async Task Two_confirmed_members_and_a_raw_socket_see_every_message_in_the_same_order()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var bob = await ChatCollector.JoinAsync(server.Port, "bob");
        await using var carl = await PlainChatClient.ConnectAsync(server.EndPoint);
        await carl.SendLineAsync("/nick carl");
        await carl.ReadUntilAsync("you are now known as carl");
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Renamed, NewName: "carl" }, "carl's rename");
        await bob.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Renamed, NewName: "carl" }, "carl's rename");

        // All three talk at once: the room's order is decided by the store's commits.
        const int Each = 150;
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < Each; i++) { await ann.Client.EnqueueAsync($"ann {i}", Token); } }, Token),
            Task.Run(async () => { for (var i = 0; i < Each; i++) { await bob.Client.EnqueueAsync($"bob {i}", Token); } }, Token),
            Task.Run(async () => { for (var i = 0; i < Each; i++) { await carl.SendLineAsync($"carl {i}"); } }, Token)).WithTimeout();
        await ann.WaitForMessagesAsync(2 * Each);
        await bob.WaitForMessagesAsync(2 * Each);
        var carlSaw = new List<(string Sender, string Text)>();
        while (carlSaw.Count < 2 * Each)
        {
            if (ParseLine(await carl.ReadLineAsync() ?? throw new InvalidOperationException("carl was disconnected")) is { } message)
            {
                carlSaw.Add(message);
            }
        }

        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default with { Limit = 10_000 }).Select(m => (m.Sender!, m.Text)).ToList();
        Assert.Equal(3 * Each, stored.Count);
        Assert.Equal(stored.Where(m => m.Item1 != "ann"), ann.Messages.Select(m => (m.Sender, m.Text)));
        Assert.Equal(stored.Where(m => m.Item1 != "bob"), bob.Messages.Select(m => (m.Sender, m.Text)));
        Assert.Equal(stored.Where(m => m.Item1 != "carl"), carlSaw);
        Assert.All(ann.Messages, m => Assert.False(m.IsHistory));
    }

    [Fact]
    public async Task Plain_members_get_the_time_the_sender_and_escaped_text_on_one_line()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);
        await plain.ReadUntilAsync("*** you are");

        var id = await ann.Client.PostAsync("\u001b[31mred\u001b[0m\tand 你好\u202E", Token).WithTimeout();
        var line = await plain.ReadUntilAsync("ann> ");

        using var history = MessageHistory.Open(StorePath);
        var stored = history.Read(HistoryQuery.Default).Single(m => m.Id == id);
        var local = TimeZoneInfo.ConvertTime(stored.ReceivedAt, TimeZoneInfo.Local).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Equal($"[{local}] ann> \\x1B[31mred\\x1B[0m\tand 你好\\u202E", line);
    }

    [Fact]
    public async Task Everyone_else_hears_who_joins_and_leaves_but_not_of_themselves()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        var welcome = await ann.WaitForNoticeAsync(n => n.Kind == NoticeKind.Who, "the members after joining");
        Assert.Equal(["ann"], welcome.OfType<ChatNotice>().Single().Members);

        var bob = await ChatCollector.JoinAsync(server.Port, "bob");
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Joined, Name: "bob" }, "bob joined");
        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);
        Assert.Equal($"*** you are {plain.AddressName}; here (3): {plain.AddressName}, ann, bob (/nick NAME, /who, /quit)", await plain.ReadLineAsync());
        await ann.WaitForNoticeAsync(n => n.Kind == NoticeKind.Joined && n.Name == plain.AddressName, "the raw client joined");

        await bob.Client.CompleteAsync(Token).WithTimeout();
        await bob.DisposeAsync();
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Left, Name: "bob" }, "bob left");
        Assert.Equal("*** bob left", await plain.ReadUntilAsync("bob left"));

        await plain.SendLineAsync("/quit");
        Assert.Equal("*** bye", await plain.ReadUntilAsync("bye"));
        Assert.Null(await plain.ReadLineAsync());
        await ann.WaitForNoticeAsync(n => n.Kind == NoticeKind.Left && n.Name == plain.AddressName, "the raw client left");

        Assert.DoesNotContain(ann.Notices, n => n.Name == "ann" && n.Kind is NoticeKind.Joined or NoticeKind.Left);
        Assert.Equal(["ann"], await ann.Client.WhoAsync(Token).WithTimeout());
    }

    [Fact]
    public async Task A_name_in_use_or_not_valid_is_refused_with_the_reason()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var second = await ChatCollector.JoinAsync(server.Port, "ANN");
        await using var spaced = await ChatCollector.JoinAsync(server.Port, "two words");

        // A refused HELLO name leaves the client named by its address, and a notice says why.
        Assert.Equal($"127.0.0.1:{second.Client.LocalEndPoint!.Port}", second.Client.Name);
        var refused = (await second.WaitForNoticeAsync(n => n.Kind == NoticeKind.Refused, "the refusal")).OfType<ChatNotice>().First(n => n.Kind == NoticeKind.Refused);
        Assert.Equal(("ANN", "ANN is in use"), (refused.Name, refused.Reason));
        await spaced.WaitForNoticeAsync(n => n.Kind == NoticeKind.Refused && n.Reason!.Contains("spaces", StringComparison.Ordinal), "the refusal");

        foreach (var (name, reason) in new[]
        {
            ("Ann", "Ann is in use"),
            ("server", "server is the server's name"),
            ("a:b", "a name cannot contain ':'"),
            ("/slash", "a name cannot start with '/'"),
            (new string('x', 33), "a name is at most 32 characters"),
            ("bell\u0007", "a name cannot contain spaces, control or invisible characters"),
        })
        {
            var error = await Assert.ThrowsAsync<TcpMsgException>(() => second.Client.ChangeNameAsync(name, Token)).WithTimeout();
            Assert.Equal((TcpMsgErrorCode.ChatCommandRefused, name, reason), (error.Code, error.Subject, error.Reason));
        }

        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);
        await plain.SendLineAsync("/nick ann");
        Assert.Equal("*** you cannot be called ann: ann is in use", await plain.ReadUntilAsync("cannot be called"));
        await plain.SendLineAsync("/nick");
        Assert.Equal("*** refused: say which name: /nick NAME", await plain.ReadUntilAsync("say which name"));
    }

    [Fact]
    public async Task A_rename_is_announced_and_later_messages_carry_the_new_name()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var bob = await ChatCollector.JoinAsync(server.Port, "bob");
        await ann.WaitForNoticeAsync(n => n is { Kind: NoticeKind.Joined, Name: "bob" }, "bob joined");

        await bob.Client.PostAsync("before", Token).WithTimeout();
        Assert.Equal("robert", await bob.Client.ChangeNameAsync("robert", Token).WithTimeout());
        await bob.Client.PostAsync("after", Token).WithTimeout();
        Assert.Equal("Robert", await bob.Client.ChangeNameAsync("Robert", Token).WithTimeout());

        var events = await ann.WaitForMessagesAsync(2);
        Assert.Equal("Robert", bob.Client.Name);
        Assert.Equal(
            ["bob> before", "Renamed bob robert", "robert> after"],
            events.Where(e => e is ChatMessage || e is ChatNotice { Kind: NoticeKind.Renamed }).Take(3).Select(e => e switch
            {
                ChatMessage m => $"{m.Sender}> {m.Text}",
                ChatNotice n => $"{n.Kind} {n.Name} {n.NewName}",
                _ => "",
            }));
        Assert.Equal(["ann", "Robert"], await ann.Client.WhoAsync(Token).WithTimeout());
        using var history = MessageHistory.Open(StorePath);
        Assert.Equal([("bob", "before"), ("robert", "after")], history.Read(HistoryQuery.Default).Select(m => (m.Sender, m.Text)));
    }

    [Fact]
    public async Task Plain_commands_are_answered_not_stored_and_a_double_slash_sends_a_slash()
    {
        await using var server = await StartAsync();
        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);

        await plain.SendAsync("/who\n/WHO\n/help\n/dance wildly\n//etc/passwd\n/ not a command\n/9 neither\nplain\n");
        Assert.Equal($"*** here (1): {plain.AddressName}", await plain.ReadUntilAsync("*** here"));
        Assert.Equal($"*** here (1): {plain.AddressName}", await plain.ReadUntilAsync("*** here"));
        var help = "*** commands: /nick NAME, /who, /quit; start a line with // to send one that begins with /";
        Assert.Equal(help, await plain.ReadUntilAsync("commands:"));
        Assert.Equal(help, await plain.ReadUntilAsync("commands:"));
        await server.Sink.WaitForMessagesAsync(4);

        Assert.Equal(["/etc/passwd", "/ not a command", "/9 neither", "plain"], server.Sink.Texts);
        Assert.All(server.Sink.Messages, m => Assert.Equal(plain.AddressName, m.Sender));
    }

    [Fact]
    public async Task A_client_without_the_chat_capability_posts_under_its_name_and_receives_nothing()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using (var bot = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Name = "bot" }, Token))
        {
            await bot.SendAsync("beep", Token).WithTimeout();
            await bot.CompleteAsync(Token).WithTimeout();
        }

        await using (var impostor = await MessageClient.ConnectAsync("127.0.0.1", server.Port, MessageClientOptions.Default with { Name = "ann" }, Token))
        {
            await impostor.SendAsync("I am ann", Token).WithTimeout();
            var port = impostor.LocalEndPoint!.Port;
            await impostor.CompleteAsync(Token).WithTimeout();
            var events = await ann.WaitForMessagesAsync(2);
            Assert.Equal([("bot", "beep"), ($"127.0.0.1:{port}", "I am ann")], events.OfType<ChatMessage>().Select(m => (m.Sender, m.Text)));
        }

        Assert.Equal(["ann"], await ann.Client.WhoAsync(Token).WithTimeout());
        Assert.DoesNotContain(ann.Notices, n => n.Kind is NoticeKind.Joined or NoticeKind.Left);
    }

    [Fact]
    public async Task A_command_from_a_client_that_did_not_join_is_a_protocol_error()
    {
        await using var server = await StartAsync();
        await using var client = await FrameClient.ConnectAsync(server.EndPoint, "no-chat");
        var welcome = Assert.IsType<WelcomeFrame>((await client.ReadFrameAsync())!.Frame);
        Assert.Equal(ProtocolCapabilities.Chat, welcome.Capabilities);
        Assert.Null(welcome.ChatName);

        await client.SendAsync(w => new CommandFrame(1, ChatCommandKind.Who).Write(w));

        var error = Assert.IsType<ErrorFrame>((await client.ReadFrameAsync())!.Frame);
        Assert.Equal(ProtocolErrorCode.Protocol, error.Code);
        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task A_member_gets_its_name_history_members_then_live_frames()
    {
        await using var server = await StartAsync();
        await server.Server.PostAsync("one", Token).WithTimeout();
        await server.Server.PostAsync("two", Token).WithTimeout();
        await using var client = await FrameClient.ConnectChatAsync(server.EndPoint, "framed", "fran");

        var welcome = Assert.IsType<WelcomeFrame>((await client.ReadFrameAsync())!.Frame);
        var first = Assert.IsType<DeliverFrame>((await client.ReadFrameAsync())!.Frame);
        var second = Assert.IsType<DeliverFrame>((await client.ReadFrameAsync())!.Frame);
        var who = Assert.IsType<NoticeFrame>((await client.ReadFrameAsync())!.Frame);
        var live = server.Server.PostAsync("three", Token);
        var third = Assert.IsType<DeliverFrame>((await client.ReadFrameAsync())!.Frame);

        Assert.Equal(("fran", ProtocolCapabilities.Chat, TcpMsgServerOptions.Default.IdleTimeout), (welcome.ChatName, welcome.Capabilities, welcome.IdleTimeout));
        Assert.Equal([("server", "one", true), ("server", "two", true)], new[] { first, second }.Select(d => (d.Name, d.Text, d.IsHistory)));
        Assert.True(first.Id > 0 && second.Id == first.Id + 1);
        Assert.Equal((NoticeKind.Who, 0u), (who.Kind, who.Request));
        Assert.Equal(["fran"], who.Members);
        Assert.Equal(("three", false, await live.WithTimeout()), (third.Text, third.IsHistory, third.Id));
    }

    [Fact]
    public async Task The_server_posts_to_the_room_under_its_own_name()
    {
        await using var server = await StartAsync();
        await using var ann = await ChatCollector.JoinAsync(server.Port, "ann");
        await using var plain = await PlainChatClient.ConnectAsync(server.EndPoint);
        await plain.ReadUntilAsync("*** you are");

        var id = await server.Server.PostAsync("hello everyone", Token).WithTimeout();

        var message = (await ann.WaitForMessagesAsync(1)).OfType<ChatMessage>().Single();
        Assert.Equal((id, "server", "hello everyone"), (message.Id, message.Sender, message.Text));
        Assert.EndsWith("] server> hello everyone", await plain.ReadUntilAsync("server>"), StringComparison.Ordinal);
        var shown = Assert.Single(server.Sink.Messages);
        Assert.Equal(("server", "server"), (shown.Sender, shown.Connection.Address));
    }

    [Fact]
    public async Task Without_a_chat_room_a_plain_client_receives_nothing_and_cannot_join()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        await client.SendAsync("/who\nhello\n");
        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        var received = 0;
        var buffer = new byte[1024];
        int read;
        while ((read = await client.Socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, Token).WithTimeout()) > 0)
        {
            received += read;
        }

        Assert.Equal(0, received);
        await server.Sink.WaitForMessagesAsync(2);
        Assert.Equal(["/who", "hello"], server.Sink.Texts);
        var error = await Assert.ThrowsAsync<TcpMsgException>(() => ChatCollector.JoinAsync(server.Port, "ann"));
        Assert.Equal(TcpMsgErrorCode.NoChatRoom, error.Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Server.PostAsync("no room", Token));
    }

    [Theory]
    [InlineData(-1, 10, 1024, "server")]
    [InlineData(20, 0, 1024, "server")]
    [InlineData(20, 1_000_001, 1024, "server")]
    [InlineData(20, 10, 1023, "server")]
    [InlineData(20, 10, 1024, "the server")]
    public void Chat_options_out_of_range_are_refused_by_name(int history, int messages, long bytes, string serverName)
    {
        var options = TcpMsgServerOptions.Default with
        {
            Chat = ChatOptions.Default with { HistorySize = history, MaxQueuedMessages = messages, MaxQueuedBytes = bytes, ServerName = serverName },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(error.ParamName!, new[] { "HistorySize", "MaxQueuedMessages", "MaxQueuedBytes", "ServerName" });
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task<TestServer> StartAsync(ChatOptions? chat = null) =>
        TestServer.StartAsync(TcpMsgServerOptions.Default with
        {
            Chat = chat ?? ChatOptions.Default,
            Store = StoreOptions.Default with { Path = StorePath, Durability = Durability.Process },
        });

    private static (string Sender, string Text)? ParseLine(string line) =>
        MessageLine().Match(line) is { Success: true } match ? (match.Groups[1].Value, match.Groups[2].Value) : null;

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d\] (\S+)> (.*)$")]
    private static partial Regex MessageLine();
}
