using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Tests.Server.Chat;

public sealed class ChatLogTests
{
    [Fact]
    public void The_log_holds_at_most_its_count_of_entries_the_oldest_going_first()
    {
        var log = new ChatLog(maxEntries: 3, maxBytes: 1 << 20);

        for (var i = 1; i <= 5; i++)
        {
            log.Append(Entry(i, 10));
        }

        Assert.Equal((2L, 5L), (log.Head, log.Tail));
        Assert.Equal(["3", "4", "5"], Enumerable.Range(2, 3).Select(s => Text(log[s])));
        Assert.Equal(3 * Entry(0, 10).Cost, log.Bytes);
    }

    [Fact]
    public void The_log_holds_at_most_its_bytes_but_always_the_newest_entry()
    {
        var cost = Entry(0, 1000).Cost;
        var log = new ChatLog(maxEntries: 100, maxBytes: 2 * cost);

        log.Append(Entry(1, 1000));
        log.Append(Entry(2, 1000));
        log.Append(Entry(3, 1000));
        Assert.Equal((1L, 3L, 2 * cost), (log.Head, log.Tail, log.Bytes));

        // One entry larger than the whole limit is still held (alone): a message is never too big to relay.
        log.Append(Entry(4, 10_000));
        Assert.Equal((3L, 4L), (log.Head, log.Tail));
        Assert.Equal("4", Text(log[3]));
    }

    [Fact]
    public void Entries_every_member_passed_are_let_go()
    {
        var log = new ChatLog(maxEntries: 100, maxBytes: 1 << 20);
        for (var i = 1; i <= 4; i++)
        {
            log.Append(Entry(i, 10));
        }

        log.EvictBefore(3);
        Assert.Equal((3L, 4L), (log.Head, log.Tail));
        log.EvictBefore(10);
        Assert.Equal((4L, 4L, 0L), (log.Head, log.Tail, log.Bytes));
    }

    [Fact]
    public void An_entry_is_encoded_once_per_form_and_history_is_flagged()
    {
        var entry = Entry(7, 5);

        Assert.Same(entry.Frame(history: false), entry.Frame(history: false));
        Assert.Same(entry.Line(), entry.Line());
        Assert.NotEqual(entry.Frame(history: false), entry.Frame(history: true));
        Assert.EndsWith("] name> 7\n", System.Text.Encoding.UTF8.GetString(entry.Line()), StringComparison.Ordinal);
    }

    private static ChatEntry Entry(int number, int bytes) =>
        ChatEntry.Message(number, DateTimeOffset.UtcNow, "name", number.ToString(System.Globalization.CultureInfo.InvariantCulture), bytes, null);

    private static string Text(ChatEntry entry)
    {
        var line = System.Text.Encoding.UTF8.GetString(entry.Line());
        return line[(line.IndexOf("> ", StringComparison.Ordinal) + 2)..^1];
    }
}
