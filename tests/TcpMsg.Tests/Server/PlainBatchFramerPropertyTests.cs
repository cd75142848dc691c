using System.Buffers;
using System.Text;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server;

/// <summary>
/// The batched framer (<see cref="PlainBatchFramer"/>, which frames a segment's lines together) against
/// the old one (<see cref="PlainMessageReader.TryReadMessage"/> one message at a time, decoded with
/// <see cref="Utf8MessageDecoder"/>): the same messages, bytes and validity, for any split of any stream.
/// </summary>
public sealed class PlainBatchFramerPropertyTests
{
    private static readonly Gen<string> s_piece = Gen.OneOf("a", "Z", " ", "\t", "\r", "\n", "\r\n", "\n\n", "é", "中", "你好", "🙂", "\u0000", "\u001b[31m", "/", "//");

    private static readonly Gen<byte[]> s_text = s_piece.Array[0, 40].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));

    // Mostly line structure and UTF-8 lead and continuation bytes, to hit the edges.
    private static readonly Gen<byte[]> s_hostile = Gen.Frequency(
            (3, Gen.Byte),
            (2, Gen.OneOf((byte)'\n', (byte)'\r')),
            (2, Gen.OneOf((byte)0xE4, (byte)0xBD, (byte)0xA0, (byte)0xF0, (byte)0x9F, (byte)0xC3, (byte)0x80, (byte)0xFF)))
        .Array[0, 300];

    private static readonly Gen<int[]> s_cuts = Gen.Int[0, 300].Array[0, 10];

    [Fact]
    public void Text_streams_frame_as_the_old_framer_does_under_any_split()
    {
        Gen.Select(s_text, s_cuts, Gen.Int[1, 48], Gen.Bool).Sample(t =>
        {
            var (bytes, cuts, max, commands) = t;
            AssertSame(FramingHarness.Split(bytes, cuts), PlainFraming.Lines, max, commands, long.MaxValue);
        }, iter: 3000);
    }

    [Fact]
    public void Arbitrary_bytes_frame_as_the_old_framer_does_in_either_framing()
    {
        Gen.Select(s_hostile, s_cuts, Gen.Int[1, 64], Gen.Bool).Sample(t =>
        {
            var (bytes, cuts, max, whole) = t;
            AssertSame(FramingHarness.Split(bytes, cuts), whole ? PlainFraming.Whole : PlainFraming.Lines, max, false, long.MaxValue);
        }, iter: 3000);
    }

    [Fact]
    public void A_rate_allowance_per_read_changes_when_messages_come_not_which()
    {
        Gen.Select(s_text, s_cuts, Gen.Long[1, 3]).Sample(t =>
        {
            var (bytes, cuts, allowance) = t;
            AssertSame(FramingHarness.Split(bytes, cuts), PlainFraming.Lines, 1024, false, allowance);
        }, iter: 2000);
    }

    [Fact]
    public void Every_single_cut_inside_utf8_characters_and_crlf_frames_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes("你好,世界!!!\r\n🙂\r\r\n\r\nab\né中\r\nlast 文");
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            for (var second = cut; second <= bytes.Length; second += 3)
            {
                AssertSame(FramingHarness.Split(bytes, cut, second), PlainFraming.Lines, 64, false, long.MaxValue);
            }
        }
    }

    [Fact]
    public void The_lines_of_one_segment_share_one_batch_and_one_copy()
    {
        var framer = new PlainBatchFramer(PlainFraming.Lines, 1024);
        var batch = NewBatch();
        var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("one\r\ntwo\n\nthree\npart"));

        var result = framer.Frame(input, false, batch, long.MaxValue, null, false, out _, out var consumed, out _);

        Assert.Equal(PlainFrameResult.NeedMoreData, result);
        Assert.Equal(["one", "two", "three"], Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.Text(i))));
        Assert.Equal("part", Encoding.UTF8.GetString(input.Slice(consumed).ToArray()));
    }

    [Fact]
    public void A_large_read_fills_several_batches_that_stay_off_the_large_object_heap()
    {
        // A megabyte in one read, as the pipe holds it after the pipeline was full: in Kestrel's 4 KiB
        // segments, and in one segment (another transport's pipe).
        var line = Encoding.UTF8.GetBytes("你好,世界!!! #00000001 消息 message 数据 data 中文 text 消息 message 数据 data 中文 text 消息 mess\n");
        var stream = Enumerable.Range(0, 1024 * 1024 / line.Length).SelectMany(_ => line).ToArray();
        var expected = Old([stream], PlainFraming.Lines, 1024).Messages;
        foreach (var segments in new[] { FramingHarness.Split(stream, [.. Enumerable.Range(1, stream.Length / 4096).Select(i => i * 4096)]), [stream] })
        {
            var framer = new PlainBatchFramer(PlainFraming.Lines, 1024);
            var buffer = SegmentedSequence.Create([.. segments.Select(s => (ReadOnlyMemory<byte>)s)]);
            var consumed = buffer.Start;
            var messages = new List<Message>();
            var batches = 0;
            PlainFrameResult result;
            do
            {
                var batch = NewBatch();
                result = framer.Frame(buffer.Slice(consumed), true, batch, long.MaxValue, null, false, out _, out consumed, out _);
                Assert.True(batch.Capacity <= MaxBatchBytes, $"a batch grew to {batch.Capacity} bytes");
                Collect(batch, messages);
                batches++;
            }
            while (result == PlainFrameResult.Full);

            Assert.Equal(PlainFrameResult.NeedMoreData, result);
            Assert.True(batches > 16, $"{batches} batches");
            Assert.Equal(expected, messages);
        }
    }

    // Below the large-object heap's 85,000 bytes: such buffers are reused, not cleared anew.
    private const int MaxBatchBytes = 64 * 1024;

    private static void AssertSame(List<byte[]> chunks, PlainFraming framing, int max, bool commands, long allowance)
    {
        var expected = Old(chunks, framing, max);
        var actual = Batched(chunks, framing, max, commands, allowance);
        Assert.Equal(expected.TooLarge, actual.TooLarge);
        Assert.Equal(expected.Messages.Count, actual.Messages.Count);
        for (var i = 0; i < expected.Messages.Count; i++)
        {
            Assert.Equal(expected.Messages[i], actual.Messages[i]);
        }
    }

    /// <summary>The old path: one message at a time, decoded to a string.</summary>
    private static Framed Old(List<byte[]> chunks, PlainFraming framing, int max)
    {
        var reader = new PlainMessageReader(framing, max);
        var messages = new List<Message>();
        var pending = new List<ReadOnlyMemory<byte>>();
        for (var read = 0; read <= chunks.Count; read++)
        {
            var isFinal = read == chunks.Count;
            if (!isFinal)
            {
                pending.Add(chunks[read]);
            }

            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            try
            {
                while (reader.TryReadMessage(buffer.Slice(consumed), isFinal, out var message, out consumed, out _))
                {
                    var text = Utf8MessageDecoder.Decode(message, out var valid);
                    messages.Add(new Message(text, valid, (int)message.Length, Convert.ToHexString(message.ToArray())));
                }
            }
            catch (MessageTooLargeException)
            {
                return new Framed(messages, true);
            }

            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
        }

        return new Framed(messages, false);
    }

    /// <summary>The new path, as the plain session drives it: one batch per read, pending messages added by the caller.</summary>
    private static Framed Batched(List<byte[]> chunks, PlainFraming framing, int max, bool commands, long allowance)
    {
        var framer = new PlainBatchFramer(framing, max);
        var messages = new List<Message>();
        var pending = new List<ReadOnlyMemory<byte>>();
        var read = 0;
        var limited = false;
        while (read <= chunks.Count)
        {
            // A read limited by the rate is read again before anything new arrives, as the pipe does.
            var isFinal = read == chunks.Count;
            if (!limited && !isFinal)
            {
                pending.Add(chunks[read]);
            }

            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            var batch = NewBatch();
            var taken = 0L;
            limited = false;
            try
            {
                while (true)
                {
                    var before = batch.Count;
                    var result = framer.Frame(buffer.Slice(consumed), isFinal, batch, allowance == long.MaxValue ? long.MaxValue : allowance - taken, null, commands, out var message, out consumed, out _);
                    taken += batch.Count - before;
                    if (result == PlainFrameResult.Full)
                    {
                        Assert.True(batch.Capacity <= MaxBatchBytes, $"a batch grew to {batch.Capacity} bytes");
                        Collect(batch, messages);
                        batch = NewBatch();
                        continue;
                    }
                    if (result == PlainFrameResult.Pending)
                    {
                        if (!batch.TryAdd(message, null))
                        {
                            batch.AddInvalid(message, null);
                        }

                        taken++;
                    }

                    if (result == PlainFrameResult.Limited || taken >= allowance)
                    {
                        limited = true;
                        break;
                    }

                    if (result == PlainFrameResult.NeedMoreData)
                    {
                        break;
                    }
                }
            }
            catch (MessageTooLargeException)
            {
                Collect(batch, messages);
                return new Framed(messages, true);
            }

            Collect(batch, messages);
            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
            if (!limited)
            {
                read++;
            }
        }

        return new Framed(messages, false);
    }

    private static void Collect(MessageBatch batch, List<Message> messages)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i];
            var wire = entry.Raw ?? batch.Text(i).ToArray();
            var view = new ReceivedMessageView(batch, i);
            Assert.Equal(entry.Raw is null, view.IsValidUtf8);
            messages.Add(new Message(view.GetText(), view.IsValidUtf8, view.ByteCount, Convert.ToHexString(wire)));
        }
    }

    private static MessageBatch NewBatch()
    {
        var batch = new MessageBatch();
        batch.Reset(TestMessages.From("127.0.0.1", 1), DateTimeOffset.UnixEpoch, MessageFraming.Line, null, null, null);
        return batch;
    }

    private sealed record Message(string Text, bool Valid, int WireLength, string WireHex);

    private sealed record Framed(List<Message> Messages, bool TooLarge);
}
