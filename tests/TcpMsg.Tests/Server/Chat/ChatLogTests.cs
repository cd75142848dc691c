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
    public void Room_is_counted_in_bytes_but_an_empty_log_takes_any_entry()
    {
        var cost = Entry(0, 1000).Cost;
        var log = new ChatLog(maxEntries: 100, maxBytes: 2 * cost);

        log.Append(Entry(1, 1000));
        log.Append(Entry(2, 1000));
        Assert.False(log.HasRoom(cost));
        log.EvictOldest();
        Assert.True(log.HasRoom(cost));
        log.Append(Entry(3, 1000));
        Assert.Equal((1L, 3L, 2 * cost), (log.Head, log.Tail, log.Bytes));

        // One entry larger than the whole limit still fits an empty log: a message is never too big to relay.
        log.EvictBefore(log.Tail);
        Assert.True(log.HasRoom(Entry(4, 10_000).Cost));
    }

    [Fact]
    public void Notices_are_placed_after_the_last_message_and_a_member_goes_on_after_the_last_id_it_has()
    {
        var log = new ChatLog(maxEntries: 100, maxBytes: 1 << 20);
        log.Append(Entry(10, 1));
        log.Append(Notice());
        log.Append(Entry(12, 1));
        log.Append(Entry(13, 1));
        log.Append(Notice());

        Assert.Equal([10L, 10, 12, 13, 13], Enumerable.Range(0, 5).Select(s => log[s].Key));
        Assert.Equal(0, log.FirstAfter(9));
        Assert.Equal(1, log.FirstAfter(10)); // the notice after 10 was not seen yet
        Assert.Equal(2, log.FirstAfter(11));
        Assert.Equal(4, log.FirstAfter(13));

        // Letting go of entries raises the floor: every message above it is still held.
        log.EvictBefore(2);
        Assert.Equal((13L, 10L), (log.LastId, log.FloorId));
        Assert.Equal(2, log.FirstAfter(10));
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
        var entry = Entry(7, 1);

        Assert.Same(entry.Frame(history: false), entry.Frame(history: false));
        Assert.Same(entry.Line(), entry.Line());
        Assert.NotEqual(entry.Frame(history: false), entry.Frame(history: true));
        Assert.EndsWith("] name> 7\n", System.Text.Encoding.UTF8.GetString(entry.Line()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_escapes_what_would_drive_a_terminal_while_the_frame_carries_the_text_as_sent()
    {
        var time = DateTimeOffset.UtcNow;
        var text = "a\u001B[2Jb"u8.ToArray();
        var entry = ChatEntry.Message(3, time, "bo\u001Bb", text, new ChatLinePrefix().For(time, "bo\u001Bb"), new System.Buffers.ArrayBufferWriter<byte>(), null);

        Assert.EndsWith("] bo\\x1Bb> a\\x1B[2Jb\n", System.Text.Encoding.UTF8.GetString(entry.Line()), StringComparison.Ordinal);
        Assert.True(entry.Frame(history: false).AsSpan().IndexOf(text) > 0);
        Assert.Equal(text.Length + Entry(0, 0).Cost - 1, entry.Cost);
    }

    // The text is the number, padded with dots to the bytes asked for (its cost).
    private static ChatEntry Entry(int number, int bytes)
    {
        var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text.PadRight(Math.Max(bytes, text.Length), '.'));
        var time = DateTimeOffset.UtcNow;
        return ChatEntry.Message(number, time, "name", utf8, new ChatLinePrefix().For(time, "name"), new System.Buffers.ArrayBufferWriter<byte>(), null);
    }

    private static ChatEntry Notice() => ChatEntry.Notice(new TcpMsg.Protocol.NoticeFrame(TcpMsg.Protocol.NoticeKind.Joined, Name: "x"));

    private static string Text(ChatEntry entry)
    {
        var line = System.Text.Encoding.UTF8.GetString(entry.Line());
        return line[(line.IndexOf("> ", StringComparison.Ordinal) + 2)..^1].TrimEnd('.');
    }
}
