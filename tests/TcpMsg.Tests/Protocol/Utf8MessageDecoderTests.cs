using System.Text;
using System.Text.Unicode;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

public sealed class Utf8MessageDecoderTests
{
    // Bytes of any kind, mostly text, at lengths around the stack and pool buffers' edges.
    private static readonly Gen<byte[]> s_bytes = Gen.Frequency(
            (4, Gen.OneOf("a", " ", "中", "文", "é", "🙂").Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Byte.Select(b => new[] { b })))
        .Array[0, 1200]
        .Select(pieces => pieces.SelectMany(p => p).ToArray());

    [Fact]
    public void Decoding_matches_the_utf8_encoder_for_any_bytes()
    {
        s_bytes.Sample(bytes =>
        {
            var text = Utf8MessageDecoder.Decode(bytes, out var valid);

            Assert.Equal(Encoding.UTF8.GetString(bytes), text);
            Assert.Equal(Utf8.IsValid(bytes), valid);
        });
    }

    [Fact]
    public void A_character_split_across_segments_is_decoded_whole()
    {
        var bytes = Encoding.UTF8.GetBytes("你好");

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var text = Utf8MessageDecoder.Decode(SegmentedSequence.Create(bytes[..cut], bytes[cut..]), out var valid);

            Assert.Equal("你好", text);
            Assert.True(valid);
        }
    }

    [Fact]
    public void A_large_multi_segment_message_is_decoded_whole()
    {
        var text = string.Concat(Enumerable.Repeat("消息 message ", 10_000));
        var bytes = Encoding.UTF8.GetBytes(text);
        var chunks = FramingHarness.Split(bytes, [.. Enumerable.Range(1, 100).Select(i => i * 1237)]);

        Assert.Equal(text, Utf8MessageDecoder.Decode(SegmentedSequence.Create([.. chunks]), out var valid));
        Assert.True(valid);
    }

    [Fact]
    public void A_truncated_character_at_the_end_is_invalid()
    {
        var bytes = Encoding.UTF8.GetBytes("好")[..2];

        var text = Utf8MessageDecoder.Decode(SegmentedSequence.Create(bytes), out var valid);

        Assert.False(valid);
        Assert.Equal("\uFFFD", text);
    }
}
