using System.Buffers;
using TcpMsg.Protocol;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>Decodes frames from chunks the way a connection does, parsing each payload while it is still buffered.</summary>
internal static class FrameHarness
{
    public sealed record Decoded(FrameType Type, object Frame);

    public static List<Decoded> Run(IEnumerable<byte[]> chunks, int maxFrameLength = 1 << 20)
    {
        var frames = new List<Decoded>();
        var pending = new List<ReadOnlyMemory<byte>>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            while (FrameReader.TryReadFrame(buffer.Slice(consumed), maxFrameLength, out var type, out var payload, out consumed))
            {
                frames.Add(new Decoded(type, Parse(type, payload)));
            }

            pending = SegmentedSequence.Chunks(buffer.Slice(consumed));
        }

        if (pending.Count > 0)
        {
            throw new InvalidOperationException($"{pending.Sum(p => p.Length)} bytes left: a truncated frame");
        }

        return frames;
    }

    public static object Parse(FrameType type, in ReadOnlySequence<byte> payload)
    {
        switch (type)
        {
            case FrameType.Hello:
                return HelloFrame.Parse(payload);
            case FrameType.Welcome:
                return WelcomeFrame.Parse(payload);
            case FrameType.Message:
                var sequence = MessageFrame.Parse(payload, out var text);
                return (sequence, Utf8MessageDecoder.Decode(text, out _));
            case FrameType.Ack:
                return AckFrame.Parse(payload);
            case FrameType.Error:
                return ErrorFrame.Parse(payload);
            case FrameType.Deliver:
                return DeliverFrame.Parse(payload);
            case FrameType.Notice:
                return NoticeFrame.Parse(payload);
            case FrameType.Command:
                return CommandFrame.Parse(payload);
            default:
                GoodbyeFrame.Parse(payload);
                return "goodbye";
        }
    }

    public static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
