using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

public sealed class PlainMessageReaderTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void The_tutorials_message_without_a_line_end_is_one_message_at_fin()
    {
        var result = FramingHarness.Run([Utf8("你好,世界!!!")]);

        Assert.Equal(["你好,世界!!!"], result.Messages);
    }

    [Fact]
    public void Nothing_is_a_message_before_its_line_end_or_fin()
    {
        var reader = new PlainMessageReader(PlainFraming.Lines, 100);
        var input = SegmentedSequence.Create(Utf8("partial"));

        var found = reader.TryReadMessage(input, isFinal: false, out _, out var consumed, out var examined);

        Assert.False(found);
        Assert.Equal(input.Start, consumed);
        Assert.Equal(input.End, examined);
    }

    [Theory]
    [InlineData("a\nb\n", new[] { "a", "b" })]
    [InlineData("a\r\nb\r\n", new[] { "a", "b" })]
    [InlineData("a\r\nb", new[] { "a", "b" })]
    [InlineData("last\r", new[] { "last" })]
    [InlineData("a\rb\n", new[] { "a\rb" })]
    [InlineData("\n\n\r\n", new string[0])]
    [InlineData("\na\n\nb\n\n", new[] { "a", "b" })]
    [InlineData("", new string[0])]
    [InlineData("  spaced  \n", new[] { "  spaced  " })]
    public void Lines_end_at_lf_with_one_cr_dropped_and_empty_lines_skipped(string input, string[] expected)
    {
        var result = FramingHarness.Run([Utf8(input)]);

        Assert.Equal(expected, result.Messages);
    }

    [Fact]
    public void Whole_framing_makes_the_connection_one_message_line_ends_included()
    {
        var result = FramingHarness.Run([Utf8("line one\r\n"), Utf8("line two\n")], PlainFraming.Whole);

        Assert.Equal(["line one\r\nline two\n"], result.Messages);
    }

    [Fact]
    public void Whole_framing_of_an_empty_connection_is_no_message()
    {
        Assert.Empty(FramingHarness.Run([], PlainFraming.Whole).Messages);
    }

    [Fact]
    public void Every_split_position_of_multi_message_input_gives_the_same_messages()
    {
        // Multi-byte characters of 2, 3 and 4 bytes, CRLF, an empty line and a last message without LF.
        var text = "你好,世界!!!\r\nécole\n\n🙂 emoji 🙂\nlast 末尾";
        var bytes = Utf8(text);
        string[] expected = ["你好,世界!!!", "école", "🙂 emoji 🙂", "last 末尾"];

        for (var i = 0; i <= bytes.Length; i++)
        {
            Assert.Equal(expected, FramingHarness.Run(FramingHarness.Split(bytes, i)).Messages);
            for (var j = i + 1; j < bytes.Length; j++)
            {
                Assert.Equal(expected, FramingHarness.Run(FramingHarness.Split(bytes, i, j)).Messages);
            }
        }
    }

    [Fact]
    public void One_byte_per_read_decodes_every_character_once()
    {
        var bytes = Utf8("中文消息\n第二条\n");
        var result = FramingHarness.Run(bytes.Select(b => new[] { b }));

        Assert.Equal(["中文消息", "第二条"], result.Messages);
        Assert.All(result.Valid, Assert.True);
    }

    [Fact]
    public void A_message_exactly_at_the_limit_is_accepted_with_or_without_cr()
    {
        var max = 16;
        var body = new string('x', max);

        Assert.Equal([body], FramingHarness.Run([Utf8(body + "\n")], maxMessageSize: max).Messages);
        Assert.Equal([body], FramingHarness.Run([Utf8(body + "\r\n")], maxMessageSize: max).Messages);
        Assert.Equal([body], FramingHarness.Run([Utf8(body)], maxMessageSize: max).Messages);
        Assert.Equal([body], FramingHarness.Run([Utf8(body), Utf8("\r"), Utf8("\n")], maxMessageSize: max).Messages);
        Assert.Equal([body], FramingHarness.Run([Utf8(body)], PlainFraming.Whole, max).Messages);
    }

    [Fact]
    public void One_byte_over_the_limit_is_rejected_not_truncated()
    {
        var max = 16;
        var body = new string('x', max + 1);

        var withEnd = FramingHarness.Run([Utf8("ok\n" + body + "\n")], maxMessageSize: max);
        var atFin = FramingHarness.Run([Utf8(body)], maxMessageSize: max);
        var whole = FramingHarness.Run([Utf8(body)], PlainFraming.Whole, max);

        Assert.Equal(["ok"], withEnd.Messages);
        Assert.NotNull(withEnd.TooLarge);
        Assert.Equal(max, withEnd.TooLarge.Limit);
        Assert.NotNull(atFin.TooLarge);
        Assert.NotNull(whole.TooLarge);
        Assert.Empty(whole.Messages);
    }

    [Fact]
    public void An_oversized_line_is_rejected_as_soon_as_it_is_known_before_its_end_arrives()
    {
        var max = 1000;
        var chunks = Enumerable.Range(0, 100).Select(_ => Utf8(new string('y', 100))).ToList();

        var result = FramingHarness.Run(chunks, maxMessageSize: max);

        // 1,000 bytes plus a possible CR are allowed; the 11th chunk proves the line too long.
        Assert.NotNull(result.TooLarge);
        Assert.Equal(10, result.ReadsWhenRejected);
    }

    [Fact]
    public void Invalid_utf8_is_replaced_and_flagged_without_harming_neighbours()
    {
        byte[] bytes = [.. Utf8("good\n"), 0xC3, 0x28, (byte)'\n', 0xFF, 0xFE, (byte)'\n', .. Utf8("好\n")];

        var result = FramingHarness.Run([bytes]);

        Assert.Equal(["good", "\uFFFD(", "\uFFFD\uFFFD", "好"], result.Messages);
        Assert.Equal([true, false, false, true], result.Valid);
    }

    [Fact]
    public void A_long_line_in_many_reads_is_scanned_once()
    {
        // With rescanning this would be quadratic; the test guards correctness of the resume offset.
        var line = new string('z', 50_000);
        var chunks = FramingHarness.Split(Utf8(line + "\nnext\n"), [.. Enumerable.Range(1, 500).Select(i => i * 100)]);

        var result = FramingHarness.Run(chunks);

        Assert.Equal([line, "next"], result.Messages);
    }
}
