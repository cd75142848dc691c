using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using CsCheck;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// The output formats write a message from its UTF-8 bytes, read in place; these tests hold them to
/// the bytes the string formatters (the event object's <see cref="ReceivedMessage.Text"/>) write.
/// </summary>
public sealed class Utf8FormatterEquivalenceTests
{
    private static readonly ConnectionInfo s_v4 = new("0HN1", new IPEndPoint(IPAddress.Loopback, 54321), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);
    private static readonly ConnectionInfo s_v6 = new("0HN2", new IPEndPoint(IPAddress.IPv6Loopback, 54322), new IPEndPoint(IPAddress.IPv6Loopback, 2023), DateTimeOffset.UtcNow);
    private static readonly DateTimeOffset s_at = new(2026, 12, 3, 17, 0, 0, 123, TimeSpan.Zero);

    // Pieces of every kind the escaping must treat alike: ASCII, CJK, 4-byte characters, tab, C0 and
    // C1 controls, ANSI escapes, bidirectional controls, separators, JSON's own specials, U+FFFD.
    private static readonly Gen<string> s_piece = Gen.OneOf(
        "a", "Z", " ", "\t", "你好", "世界", "!!!", "é", "🙂", "𝄞", "\u001b[31m", "\u001b]0;title\u0007", "\u0000", "\r", "\u007f",
        "\u0085", "\u009b", "\u00a0", "\u061c", "\u200e", "\u200f", "\u2028", "\u202e", "\u2066", "\u2069", "\u2026", "\u201c",
        "\"", "\\", "<", "&", "\uFFFD", "\u0600", "\u2000");

    public static TheoryData<string> Samples => new()
    {
        "你好,世界!!!",
        "hello, world",
        "\u001b[2J\u001b[31mred\u001b[0m",
        "tab\there",
        "bidi \u202eevil\u202c and \u2066isolate\u2069",
        "c1 \u0085 \u009b end",
        "emoji 🙂 and 𝄞",
        "json \"quoted\" back\\slash </script>",
    };

    [Fact]
    public void The_chinese_and_english_lines_are_the_tutorials()
    {
        var message = View(s_v4, Encoding.UTF8.GetBytes("你好,世界!!!"));

        Assert.Equal("127.0.0.1发来消息>>>你好,世界!!!\n", Format(Chinese(), message));
        Assert.Equal("127.0.0.1 sent a message>>>你好,世界!!!\n", Format(new TextEventFormatter(Strings.English, verbose: false), message));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Text_and_json_from_utf8_are_byte_identical_to_the_string_formatters(string text) =>
        AssertSameBytes(s_v4, Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x61 })]
    [InlineData(new byte[] { 0xE4, 0xBD, 0x61, 0x1B, 0x5B, 0x33, 0x31, 0x6D })]
    [InlineData(new byte[] { 0xC2, 0x85, 0xC0, 0x80, 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x99 })]
    public void Invalid_utf8_is_shown_with_U_FFFD_the_same_way(byte[] bytes) => AssertSameBytes(s_v6, bytes);

    [Fact]
    public void Any_text_formats_to_the_same_bytes()
    {
        s_piece.Array[1, 16].Select(parts => string.Concat(parts))
            .Sample(text => AssertSameBytes(s_v4, Encoding.UTF8.GetBytes(text)), iter: 1000);
    }

    [Fact]
    public void Any_bytes_format_to_the_same_bytes()
    {
        Gen.Byte.Array[1, 64].Sample(bytes => AssertSameBytes(s_v6, bytes), iter: 1000);
    }

    private static void AssertSameBytes(ConnectionInfo connection, byte[] bytes)
    {
        var view = View(connection, bytes);
        var old = new ReceivedMessage(connection, s_at, Utf8MessageDecoder.Decode(bytes, out var valid), bytes.Length, MessageFraming.Line, valid ? null : bytes);
        foreach (var formatter in new IEventFormatter[] { new TextEventFormatter(Strings.English, verbose: false), Chinese(), new JsonEventFormatter() })
        {
            var expected = new ArrayBufferWriter<byte>();
            Assert.True(formatter.Write(old, expected));
            var actual = new ArrayBufferWriter<byte>();
            Assert.True(formatter.Write(view, actual));
            Assert.Equal(expected.WrittenSpan.ToArray(), actual.WrittenSpan.ToArray());
        }
    }

    private static string Format(IEventFormatter formatter, ReceivedMessageView message)
    {
        var output = new ArrayBufferWriter<byte>();
        formatter.Write(message, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static TextEventFormatter Chinese() => new(new Strings(CultureInfo.GetCultureInfo("zh-CN")), verbose: false);

    private static ReceivedMessageView View(ConnectionInfo connection, byte[] bytes)
    {
        var batch = new MessageBatch();
        batch.Reset(connection, s_at, MessageFraming.Line, null, null, null);
        var sequence = new ReadOnlySequence<byte>(bytes);
        if (!batch.TryAdd(sequence, null))
        {
            batch.AddInvalid(sequence, null);
        }

        return new ReceivedMessageView(batch, 0);
    }
}
