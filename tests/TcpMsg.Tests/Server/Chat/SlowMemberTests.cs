using System.Globalization;
using System.Text.RegularExpressions;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Storage;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Chat;

public sealed partial class SlowMemberTests : LoopbackTest
{
    private const int Padding = 90;

    [Fact]
    public async Task With_the_drop_policy_a_slow_member_is_told_how_many_messages_it_missed_and_misses_nothing_else()
    {
        const int Total = 20_000;
        var chat = ChatOptions.Default with { DropForSlowMembers = true, MaxQueuedMessages = 500, MaxQueuedBytes = 64 * 1024 };
        await using var server = await StartAsync(chat);
        await using var slow = await PlainChatClient.ConnectAsync(server.EndPoint, receiveBuffer: 4096);
        await slow.SendLineAsync("/nick slow");
        await slow.ReadUntilAsync("you are now known as slow");

        // It reads nothing while everything is sent and stored, then catches up.
        await using (var sender = await MessageClient.ConnectAsync("127.0.0.1", server.Port, cancellationToken: Token))
        {
            for (var i = 1; i <= Total; i++)
            {
                await sender.EnqueueAsync(Text(i), Token);
            }

            await sender.CompleteAsync(Token).WithTimeout(TestTimeouts.Extended);
        }

        var received = new List<int>();
        long dropped = 0;
        var gaps = 0L;
        while (received.LastOrDefault() != Total)
        {
            var line = await slow.ReadLineAsync() ?? throw new InvalidOperationException("the slow member was disconnected");

            if (Skipped().Match(line) is { Success: true } skipped)
            {
                dropped += long.Parse(skipped.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            else if (Number(line) is { } number)
            {
                gaps += number - (received.LastOrDefault() + 1);
                received.Add(number);
            }
        }

        Assert.True(dropped > 0, "nothing was dropped: the test did not make the member slow");
        Assert.Equal(Total, received.Count + dropped);
        Assert.Equal(dropped, gaps);
        Assert.Equal(received.Order(), received);
        Assert.Equal(dropped, server.Server.Statistics.ChatDropped);
        Assert.Equal(0, server.Server.Statistics.SlowClientsDisconnected);
        Assert.Equal(Total, server.Server.Statistics.MessagesStored);
    }

    private static int? Number(string line)
    {
        var start = line.IndexOf("> ", StringComparison.Ordinal);
        return start > 0 && !line.StartsWith("***", StringComparison.Ordinal) && int.TryParse(line.AsSpan(start + 2, 6), CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private static string Text(int i) => i.ToString("D6", CultureInfo.InvariantCulture) + new string('.', Padding);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task<TestServer> StartAsync(ChatOptions chat) => TestServer.StartAsync(TcpMsgServerOptions.Default with
    {
        Chat = chat,
        Store = StoreOptions.Default with { Path = Temp.File("chat.db"), Durability = Durability.Process },
    });

    [GeneratedRegex(@"^\*\*\* (\d+) message\(s\) were skipped")]
    private static partial Regex Skipped();
}
