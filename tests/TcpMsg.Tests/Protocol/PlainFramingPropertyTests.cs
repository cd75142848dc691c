using System.Text;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

/// <summary>Property tests: the framer and decoder give the same answer however the bytes are cut.</summary>
public sealed class PlainFramingPropertyTests
{
    // Characters of every UTF-8 length, plus CR and tab, which may appear inside a message.
    private static readonly Gen<string> s_piece = Gen.OneOf("a", "Z", "0", " ", "\t", "\r", "é", "ß", "中", "文", "你好", "🙂", "𝄞", "\u0000", "\u001b[31m");

    private static readonly Gen<string> s_message = s_piece.Array[1, 12]
        .Select(parts => string.Concat(parts))
        .Where(m => !m.EndsWith('\r'));

    private static readonly Gen<int[]> s_cuts = Gen.Int[0, 400].Array[0, 8];

    // Bytes that are mostly line structure and UTF-8 lead/continuation bytes, to hit the edges.
    private static readonly Gen<byte[]> s_hostileBytes = Gen.Frequency(
            (3, Gen.Byte),
            (2, Gen.OneOf((byte)'\n', (byte)'\r')),
            (2, Gen.OneOf((byte)0xE4, (byte)0xBD, (byte)0xA0, (byte)0xF0, (byte)0x9F, (byte)0xC3, (byte)0x80, (byte)0xFF)))
        .Array[0, 300];

    [Fact]
    public void Messages_joined_with_lf_or_crlf_come_back_unchanged_under_any_split()
    {
        Gen.Select(s_message.Array[1, 8], Gen.Bool.Array[8], Gen.Bool, s_cuts)
            .Sample(t =>
            {
                var (messages, crlf, lastUnterminated, cuts) = t;
                var wire = new StringBuilder();
                for (var i = 0; i < messages.Length; i++)
                {
                    wire.Append(messages[i]);
                    if (i < messages.Length - 1 || !lastUnterminated)
                    {
                        wire.Append(crlf[i] ? "\r\n" : "\n");
                    }
                }

                var bytes = Encoding.UTF8.GetBytes(wire.ToString());
                var result = FramingHarness.Run(FramingHarness.Split(bytes, cuts));

                Assert.Null(result.TooLarge);
                Assert.Equal(messages, result.Messages);
            }, iter: 2000);
    }

    [Fact]
    public void Arbitrary_bytes_frame_the_same_in_one_read_as_in_many()
    {
        Gen.Select(s_hostileBytes, s_cuts, Gen.Int[1, 64], Gen.Bool)
            .Sample(t =>
            {
                var (bytes, cuts, max, whole) = t;
                var framing = whole ? PlainFraming.Whole : PlainFraming.Lines;

                var once = FramingHarness.Run([bytes], framing, max);
                var split = FramingHarness.Run(FramingHarness.Split(bytes, cuts), framing, max);

                Assert.Equal(once.Messages, split.Messages);
                Assert.Equal(once.Valid, split.Valid);
                Assert.Equal(once.TooLarge is null, split.TooLarge is null);
                Assert.All(once.Messages, m => Assert.True(Encoding.UTF8.GetByteCount(m) > 0));
            }, iter: 5000);
    }

    [Fact]
    public void No_accepted_message_is_longer_than_the_limit()
    {
        Gen.Select(s_hostileBytes, s_cuts, Gen.Int[1, 32])
            .Sample(t =>
            {
                var (bytes, cuts, max) = t;
                var result = FramingHarness.Run(FramingHarness.Split(bytes, cuts), PlainFraming.Lines, max);

                // Decoded text can only grow (U+FFFD is 3 bytes); compare the bytes on the wire instead.
                var accepted = SplitLines(bytes).Where(l => l.Length > 0).TakeWhile(l => l.Length <= max).Count();
                Assert.True(result.Messages.Count <= accepted + 1);
                if (result.TooLarge is null)
                {
                    Assert.All(SplitLines(bytes), l => Assert.True(l.Length <= max));
                }
            }, iter: 3000);
    }

    [Fact]
    public void Decoding_a_split_message_equals_decoding_it_whole()
    {
        Gen.Select(s_hostileBytes, s_cuts)
            .Sample(t =>
            {
                var (bytes, cuts) = t;
                var sequence = SegmentedSequence.Create(FramingHarness.Split(bytes, cuts).ToArray());

                var text = Utf8MessageDecoder.Decode(sequence, out var valid);

                Assert.Equal(Encoding.UTF8.GetString(bytes), text);
                Assert.Equal(System.Text.Unicode.Utf8.IsValid(bytes), valid);
            }, iter: 3000);
    }

    // A line's wire bytes without its LF and without one CR before it; the rest after the last LF counts too.
    private static List<byte[]> SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                var end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
                lines.Add(bytes[start..end]);
                start = i + 1;
            }
        }

        return lines;
    }
}
