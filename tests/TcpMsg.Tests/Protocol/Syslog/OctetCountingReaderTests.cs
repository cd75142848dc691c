using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol.Syslog;

public sealed class OctetCountingReaderTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Frame(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    [Fact]
    public void Octet_counted_frames_keep_their_newlines_under_every_split()
    {
        var messages = new[] { "<13>1 - - - - - - 第一\nline two", "<14>Dec  3 16:47:10 host app: 你好,世界!!!", "<15>x\r\ny" };
        var wire = Bytes(string.Concat(messages.Select(Frame)));

        foreach (var chunks in DetectingFramingHarness.EverySplit(wire))
        {
            var result = DetectingFramingHarness.Run(chunks);

            Assert.Null(result.Error);
            Assert.Equal(FramingDetection.OctetCounted, result.Detected);
            Assert.Equal(messages, result.Texts);
        }
    }

    [Fact]
    public void A_plain_line_that_starts_with_digits_stays_a_line_under_every_split()
    {
        var wire = Bytes("2023 was a year\n12 <b>bold</b>\n5 <13>x\n");

        foreach (var chunks in DetectingFramingHarness.EverySplit(wire))
        {
            var result = DetectingFramingHarness.Run(chunks);

            Assert.Null(result.Error);
            Assert.Equal(FramingDetection.Lines, result.Detected);
            Assert.Equal(["2023 was a year", "12 <b>bold</b>", "5 <13>x"], result.Texts);
        }
    }

    [Theory]
    [InlineData("2023")]
    [InlineData("2023 ")]
    [InlineData("2023 <")]
    [InlineData("2023 <13")]
    public void A_connection_that_ends_before_the_decision_is_a_last_line(string text)
    {
        var result = DetectingFramingHarness.Run([Bytes(text)]);

        Assert.Null(result.Error);
        Assert.Equal(FramingDetection.Lines, result.Detected);
        Assert.Equal([text], result.Texts);
    }

    [Fact]
    public void Line_ends_between_frames_and_at_the_end_of_a_frame_are_not_part_of_the_message()
    {
        var result = DetectingFramingHarness.Run([Bytes("6 <13>a\n\n7 <13>b\r\n\r\n3 <1>")]);

        Assert.Null(result.Error);
        Assert.Equal(["<13>a", "<13>b", "<1>"], result.Texts);
    }

    [Theory]
    [InlineData("5 <13>a\nx <13>b", "expected the octet count of a frame, got byte 0x78")]
    [InlineData("5 <13>a\n12x<13>b", "followed by byte 0x78, not SP")]
    [InlineData("5 <13>a\n012 <13>b", "starts with 0")]
    [InlineData("05 <13>a", "starts with 0")]
    [InlineData("10 <13>abc", "ended inside an octet-counted frame (7 of 10 bytes)")]
    [InlineData("5 <13>a\n12", "ended inside the octet count of a frame (2 bytes)")]
    public void A_bad_count_or_a_frame_cut_short_is_a_protocol_error(string text, string expected)
    {
        var result = DetectingFramingHarness.Run([Bytes(text)]);

        var error = Assert.IsType<ProtocolException>(result.Error);
        Assert.Equal(ProtocolErrorCode.Protocol, error.WireCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("65 <13>", 65)]
    [InlineData("99999999999999999999 <13>", 99)]
    public void A_count_over_the_limit_is_too_large_before_the_message_arrives(string text, long declared)
    {
        var result = DetectingFramingHarness.Run([Bytes(text)], maxMessageSize: 64);

        var error = Assert.IsType<MessageTooLargeException>(result.Error);
        Assert.Equal(64, error.Limit);
        Assert.Equal(declared, error.ObservedBytes);
    }

    [Fact]
    public void More_count_digits_than_any_count_has_are_a_plain_line()
    {
        var result = DetectingFramingHarness.Run([Bytes("999999999999999999999 <13>x\n")], maxMessageSize: 64);

        Assert.Null(result.Error);
        Assert.Equal(["999999999999999999999 <13>x"], result.Texts);
    }

    [Fact]
    public void Overlong_digits_are_refused_once_they_pass_the_limit_without_waiting_for_the_space()
    {
        var reader = new DetectingMessageReader(PlainFraming.Lines, 1000);
        var first = Bytes("5 <13>a");
        var sequence = new System.Buffers.ReadOnlySequence<byte>(first);
        Assert.True(reader.TryReadMessage(sequence, false, out _, out _, out _));

        var digits = new System.Buffers.ReadOnlySequence<byte>(Bytes("10000"));
        Assert.Throws<MessageTooLargeException>(() => reader.TryReadMessage(digits, false, out _, out _, out _));
    }

    [Fact]
    public void A_count_of_exactly_the_limit_is_accepted()
    {
        var message = "<13>" + new string('x', 60);
        var result = DetectingFramingHarness.Run([Bytes(Frame(message))], maxMessageSize: 64);

        Assert.Null(result.Error);
        Assert.Equal([message], result.Texts);
    }
}
