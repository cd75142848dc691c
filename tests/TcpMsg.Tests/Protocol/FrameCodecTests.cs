using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol;

public sealed class FrameCodecTests
{
    [Fact]
    public void Every_frame_type_round_trips()
    {
        var hello = new HelloFrame(1, "client-一", 7, "小明", [1, 2, 3]);
        var welcome = new WelcomeFrame(1, 123_456_789_012, 1 << 20, 3);
        var ack = new AckFrame(42, 9_000_000_000);
        var error = new ErrorFrame(17, ProtocolErrorCode.StoreFailed, "disk full 磁盘满");
        var bytes = FrameHarness.Encode(w =>
        {
            hello.Write(w);
            welcome.Write(w);
            MessageFrame.Write(w, 1, "你好,世界!!!");
            MessageFrame.Write(w, 2, "raw"u8);
            MessageFrame.Write(w, long.MaxValue, "");
            ack.Write(w);
            error.Write(w);
            GoodbyeFrame.Write(w);
        });

        var frames = FrameHarness.Run([bytes]);

        Assert.Equal(
            [FrameType.Hello, FrameType.Welcome, FrameType.Message, FrameType.Message, FrameType.Message, FrameType.Ack, FrameType.Error, FrameType.Goodbye],
            frames.Select(f => f.Type));
        var parsedHello = Assert.IsType<HelloFrame>(frames[0].Frame);
        Assert.Equal((hello.Version, hello.ClientId, hello.Capabilities, hello.Name), (parsedHello.Version, parsedHello.ClientId, parsedHello.Capabilities, parsedHello.Name));
        Assert.Equal(hello.Token, parsedHello.Token);
        Assert.Equal(welcome, frames[1].Frame);
        Assert.Equal((1L, "你好,世界!!!"), frames[2].Frame);
        Assert.Equal((2L, "raw"), frames[3].Frame);
        Assert.Equal((long.MaxValue, ""), frames[4].Frame);
        Assert.Equal(ack, frames[5].Frame);
        Assert.Equal(error, frames[6].Frame);
    }

    [Fact]
    public void A_hello_without_optional_fields_round_trips()
    {
        var frames = FrameHarness.Run([FrameHarness.Encode(new HelloFrame(1, "c").Write)]);

        var hello = Assert.IsType<HelloFrame>(frames.Single().Frame);
        Assert.Null(hello.Name);
        Assert.Null(hello.Token);
    }

    [Fact]
    public void Unknown_hello_fields_are_skipped_for_forward_compatibility()
    {
        // version 1, an unknown tag 0x7F with 3 bytes, then the client id.
        byte[] payload = [0x01, 0, 1, 1, 0x7F, 0, 3, 9, 9, 9, 0x02, 0, 2, (byte)'i', (byte)'d'];

        var hello = HelloFrame.Parse(new ReadOnlySequence<byte>(payload));

        Assert.Equal("id", hello.ClientId);
    }

    [Fact]
    public void Frames_split_at_every_position_decode_the_same()
    {
        var bytes = FrameHarness.Encode(w =>
        {
            new HelloFrame(1, "c1", 0, "名字").Write(w);
            MessageFrame.Write(w, 1, "第一条 🙂");
            new AckFrame(1, 5).Write(w);
            GoodbyeFrame.Write(w);
        });
        var expected = FrameHarness.Run([bytes]).Select(f => f.Type).ToList();

        for (var i = 1; i < bytes.Length; i++)
        {
            for (var j = i + 1; j < bytes.Length; j += 3)
            {
                var frames = FrameHarness.Run(FramingHarness.Split(bytes, i, j));
                Assert.Equal(expected, frames.Select(f => f.Type));
                Assert.Equal((1L, "第一条 🙂"), frames[1].Frame);
                Assert.Equal("名字", ((HelloFrame)frames[0].Frame).Name);
            }
        }
    }

    [Fact]
    public void Random_messages_in_random_pieces_come_back_unchanged()
    {
        Gen.Select(Gen.String.Array[1, 20], Gen.Int[0, 2000].Array[0, 10])
            .Sample(t =>
            {
                var (texts, cuts) = t;
                var bytes = FrameHarness.Encode(w =>
                {
                    for (var i = 0; i < texts.Length; i++)
                    {
                        MessageFrame.Write(w, i + 1, texts[i]);
                    }
                });

                var frames = FrameHarness.Run(FramingHarness.Split(bytes, cuts));

                // Lone surrogates cannot be encoded; compare with what UTF-8 makes of them.
                Assert.Equal(
                    texts.Select((text, i) => ((long)(i + 1), Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)))),
                    frames.Select(f => ((long, string))f.Frame));
            }, iter: 1000);
    }

    [Fact]
    public void A_huge_declared_length_is_refused_from_the_header_alone()
    {
        // Only 5 bytes are there: the reader must refuse without waiting for (or allocating) 4 GiB.
        byte[] header = [0xFF, 0xFF, 0xFF, 0xFF, (byte)FrameType.Message];

        var error = Assert.Throws<ProtocolException>(() => FrameReader.TryReadFrame(new ReadOnlySequence<byte>(header), 1 << 20, out _, out _, out _));

        Assert.Equal(ProtocolErrorCode.TooLarge, error.WireCode);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 1 }, (ushort)ProtocolErrorCode.Protocol)]
    [InlineData(new byte[] { 0, 0, 0, 1, 0x00 }, (ushort)ProtocolErrorCode.Protocol)]
    [InlineData(new byte[] { 0, 0, 0, 1, 0x7A }, (ushort)ProtocolErrorCode.Protocol)]
    [InlineData(new byte[] { 0, 0x10, 0, 1, 3 }, (ushort)ProtocolErrorCode.TooLarge)]
    public void Malformed_headers_are_protocol_errors(byte[] header, ushort code)
    {
        var error = Assert.Throws<ProtocolException>(() => FrameReader.TryReadFrame(new ReadOnlySequence<byte>(header), 1024, out _, out _, out _));
        Assert.Equal((ProtocolErrorCode)code, error.WireCode);
    }

    [Fact]
    public void A_truncated_frame_waits_for_more_bytes()
    {
        var bytes = FrameHarness.Encode(w => MessageFrame.Write(w, 1, "complete me"));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(FrameReader.TryReadFrame(new ReadOnlySequence<byte>(bytes, 0, length), 1024, out _, out _, out var consumed));
            Assert.Equal(0, consumed.GetInteger());
        }
    }

    [Theory]
    [InlineData((byte)FrameType.Message, new byte[] { 0, 0, 0, 0 })]
    [InlineData((byte)FrameType.Message, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, (byte)'x' })]
    [InlineData((byte)FrameType.Ack, new byte[] { 1, 2, 3 })]
    [InlineData((byte)FrameType.Error, new byte[] { 1 })]
    [InlineData((byte)FrameType.Goodbye, new byte[] { 1 })]
    [InlineData((byte)FrameType.Hello, new byte[] { 0x01, 0, 1, 1 })]
    [InlineData((byte)FrameType.Hello, new byte[] { 0x02, 0, 9, (byte)'x' })]
    [InlineData((byte)FrameType.Hello, new byte[] { 0x02, 0, 1, 0xFF })]
    [InlineData((byte)FrameType.Welcome, new byte[] { 0x01, 0, 1, 1 })]
    public void Malformed_payloads_are_protocol_errors(byte type, byte[] payload) =>
        Assert.Throws<ProtocolException>(() => FrameHarness.Parse((FrameType)type, new ReadOnlySequence<byte>(payload)));

    [Fact]
    public void Arbitrary_bytes_never_escape_as_anything_but_a_protocol_error()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[0, 200].Array[0, 5], Gen.Int[1, 300])
            .Sample(t =>
            {
                var (bytes, cuts, max) = t;
                try
                {
                    DecodeAll(FramingHarness.Split(bytes, cuts), max);
                }
                catch (ProtocolException)
                {
                    // The one allowed failure.
                }
            }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_frames_never_escape_as_anything_but_a_protocol_error()
    {
        var valid = FrameHarness.Encode(w =>
        {
            new HelloFrame(1, "client", 0, "name", [7]).Write(w);
            new WelcomeFrame(1, 5, 100).Write(w);
            MessageFrame.Write(w, 3, "text");
            new AckFrame(3, 4).Write(w);
            new ErrorFrame(3, ProtocolErrorCode.InvalidUtf8, "bad").Write(w);
            GoodbyeFrame.Write(w);
        });
        Gen.Select(Gen.Int[0, valid.Length - 1].Array[1, 4], Gen.Byte.Array[4])
            .Sample(t =>
            {
                var (positions, values) = t;
                var mutated = (byte[])valid.Clone();
                for (var i = 0; i < positions.Length; i++)
                {
                    mutated[positions[i]] = values[i];
                }

                try
                {
                    DecodeAll([mutated], 1 << 16);
                }
                catch (ProtocolException)
                {
                }
            }, iter: 20_000);
    }

    [Fact]
    public void The_preamble_decides_the_mode()
    {
        var preamble = ConfirmedPreamble.Bytes.ToArray();

        Assert.Equal(PreambleMatch.Confirmed, ConfirmedPreamble.Match(new ReadOnlySequence<byte>(preamble), false));
        Assert.Equal(PreambleMatch.Confirmed, ConfirmedPreamble.Match(SegmentedSequence.Create(preamble[..3], preamble[3..], [1, 2]), false));
        for (var length = 1; length < preamble.Length; length++)
        {
            Assert.Equal(PreambleMatch.NeedMoreData, ConfirmedPreamble.Match(new ReadOnlySequence<byte>(preamble, 0, length), false));
            Assert.Equal(PreambleMatch.Plain, ConfirmedPreamble.Match(new ReadOnlySequence<byte>(preamble, 0, length), true));
            var differs = (byte[])preamble.Clone();
            differs[length] ^= 0x20;
            Assert.Equal(PreambleMatch.Plain, ConfirmedPreamble.Match(new ReadOnlySequence<byte>(differs), false));
        }

        Assert.Equal(PreambleMatch.Plain, ConfirmedPreamble.Match(new ReadOnlySequence<byte>("你好"u8.ToArray()), false));
        Assert.Equal(PreambleMatch.NeedMoreData, ConfirmedPreamble.Match(ReadOnlySequence<byte>.Empty, false));
    }

    private static void DecodeAll(IEnumerable<byte[]> chunks, int max)
    {
        var pending = new List<ReadOnlyMemory<byte>>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            while (FrameReader.TryReadFrame(buffer.Slice(consumed), max, out var type, out var payload, out consumed))
            {
                Assert.True(payload.Length < max);
                FrameHarness.Parse(type, payload);
            }

            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
        }
    }

    [Fact]
    public void Length_counts_type_and_payload()
    {
        var bytes = FrameHarness.Encode(w => new AckFrame(1, 2).Write(w));

        Assert.Equal(21, bytes.Length);
        Assert.Equal(17u, BinaryPrimitives.ReadUInt32BigEndian(bytes));
    }
}
