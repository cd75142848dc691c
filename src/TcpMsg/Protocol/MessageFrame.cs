using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// MESSAGE: one message and its sequence number.
/// <code>
/// message = sequence text   ; sequence uint64 big-endian, at least 1; text UTF-8, the rest of the frame
/// </code>
/// </summary>
internal static class MessageFrame
{
    /// <summary>The bytes before the text.</summary>
    public const int SequenceLength = 8;

    /// <summary>The frame length (type + payload) of a message of <paramref name="textBytes"/> bytes.</summary>
    public static int FrameLength(int textBytes) => 1 + SequenceLength + textBytes;

    /// <summary>Writes the whole frame; the text is encoded straight into the output.</summary>
    public static void Write(IBufferWriter<byte> output, long sequence, string text)
    {
        var textBytes = Encoding.UTF8.GetByteCount(text);
        var span = FrameHeader.Begin(output, FrameType.Message, SequenceLength + textBytes, out var frameLength);
        BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)sequence);
        Encoding.UTF8.GetBytes(text, span[SequenceLength..]);
        output.Advance(frameLength);
    }

    /// <summary>Writes the whole frame from text already encoded as UTF-8.</summary>
    public static void Write(IBufferWriter<byte> output, long sequence, ReadOnlySpan<byte> utf8)
    {
        var span = FrameHeader.Begin(output, FrameType.Message, SequenceLength + utf8.Length, out var frameLength);
        BinaryPrimitives.WriteUInt64BigEndian(span, (ulong)sequence);
        utf8.CopyTo(span[SequenceLength..]);
        output.Advance(frameLength);
    }

    /// <summary>Splits a MESSAGE payload into its sequence and its text bytes (not yet decoded).</summary>
    /// <exception cref="ProtocolException">The payload is shorter than a sequence, or the sequence is 0 or too large.</exception>
    public static long Parse(in ReadOnlySequence<byte> payload, out ReadOnlySequence<byte> text)
    {
        if (payload.Length < SequenceLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "MESSAGE frame shorter than its sequence number");
        }

        Span<byte> bytes = stackalloc byte[SequenceLength];
        payload.Slice(0, SequenceLength).CopyTo(bytes);
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        if (sequence is 0 or > long.MaxValue)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"MESSAGE sequence {sequence} out of range");
        }

        text = payload.Slice(SequenceLength);
        return (long)sequence;
    }
}
