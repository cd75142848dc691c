using System.Text.Json;
using TcpMsg.Client;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class ServeChatTests : LoopbackTest
{
    [Fact]
    public async Task The_console_shows_the_conversation_and_its_input_posts_to_the_room()
    {
        var input = new TestInput();
        await using var cli = await InProcessCli.ServeAsync(new TestConsole(input.Stream), "--chat", "--lang", "en");
        await using var ann = await ChatCollector.JoinAsync(cli.Port, "ann");
        var port = ann.Client.LocalEndPoint!.Port;

        await ann.Client.ChangeNameAsync("anna", Token).WithTimeout();
        await ann.Client.PostAsync("hi", Token).WithTimeout();
        await input.WriteLineAsync("hello from the console");
        var message = (await ann.WaitForMessagesAsync(1)).OfType<ChatMessage>().Single();
        await cli.Console.WaitForOutputAsync(o => o.Contains("server sent", StringComparison.Ordinal), "the console's own message");

        Assert.Equal(("server", "hello from the console"), (message.Sender, message.Text));
        Assert.Equal(
            [
                $"127.0.0.1:{port} joined the chat as ann",
                "ann is now known as anna",
                "127.0.0.1 sent a message>>>hi",
                "server sent a message>>>hello from the console",
            ],
            cli.Console.OutLines);
    }

    [Fact]
    public async Task Under_a_chinese_locale_the_chat_lines_are_chinese_and_the_message_lines_the_tutorials()
    {
        await using var cli = await InProcessCli.ServeAsync("--chat", "--lang", "zh");
        await using var ann = await ChatCollector.JoinAsync(cli.Port, "小明");
        var port = ann.Client.LocalEndPoint!.Port;

        await ann.Client.ChangeNameAsync("小红", Token).WithTimeout();
        await ann.Client.PostAsync("你好,世界!!!", Token).WithTimeout();
        await ann.Client.CompleteAsync(Token).WithTimeout();
        await cli.Console.WaitForOutputAsync(o => o.Contains("断开", StringComparison.Ordinal), "the disconnect line");

        Assert.Equal(
            [$"127.0.0.1:{port}以小明的名字加入了聊天", "小明改名为小红", "127.0.0.1发来消息>>>你好,世界!!!", $"127.0.0.1:{port}断开了与服务器的连接..."],
            cli.Console.OutLines);
    }

    [Fact]
    public async Task Json_output_has_chat_events_and_senders()
    {
        await using var cli = await InProcessCli.ServeAsync("--chat", "--format", "json");
        await using var ann = await ChatCollector.JoinAsync(cli.Port, "ann");

        await ann.Client.ChangeNameAsync("anna", Token).WithTimeout();
        await ann.Client.PostAsync("hi", Token).WithTimeout();
        await cli.Console.WaitForOutputAsync(o => o.Contains("\"message\"", StringComparison.Ordinal), "the message event");

        var events = cli.Console.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var chat = events.Where(e => e.GetProperty("event").GetString() == "chat").ToList();
        Assert.Equal(["joined", "renamed"], chat.Select(e => e.GetProperty("change").GetString()));
        Assert.Equal(["ann", "anna"], chat.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal("ann", chat[1].GetProperty("previous_name").GetString());
        Assert.Equal("anna", events.Single(e => e.GetProperty("event").GetString() == "message").GetProperty("sender").GetString());
    }

    [Fact]
    public async Task A_console_line_too_long_is_refused_with_one_line_and_the_server_goes_on()
    {
        var input = new TestInput();
        await using var cli = await InProcessCli.ServeAsync(new TestConsole(input.Stream), "--chat", "--max-message-size", "16", "--lang", "en");

        await input.WriteLineAsync("this line is longer than sixteen bytes");
        await input.WriteLineAsync("short");
        await cli.Console.WaitForOutputAsync(o => o.Contains("short", StringComparison.Ordinal), "the short line");

        Assert.Contains("tcpmsg: the message from standard input was not posted: message exceeds the limit of 16 bytes", cli.Console.ErrorText, StringComparison.Ordinal);
        Assert.Equal(["server sent a message>>>short"], cli.Console.OutLines);
        input.Close();
        Assert.Equal(0, await cli.InterruptAsync());
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
