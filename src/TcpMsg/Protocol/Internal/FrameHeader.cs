using System.Buffers;
using System.Buffers.Binary;

namespace TcpMsg.Protocol.Internal;

/// <summary>Writes frames whose payload length is known before the payload is written.</summary>
internal static class FrameHeader
{
    /// <summary>Gets a span for a whole frame of <paramref name="payloadLength"/> bytes with its header filled in.</summary>
    public static Span<byte> Begin(IBufferWriter<byte> output, FrameType type, int payloadLength, out int frameLength)
    {
        frameLength = FrameReader.HeaderLength + payloadLength;
        var span = output.GetSpan(frameLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(payloadLength + 1));
        span[4] = (byte)type;
        return span.Slice(FrameReader.HeaderLength, payloadLength);
    }
}
