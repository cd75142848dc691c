using System.Buffers;
using System.Buffers.Binary;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// ACK: the message with this sequence, and every earlier one, is stored.
/// <code>
/// ack = sequence id   ; sequence uint64, id int64 (0 without a store), both big-endian
/// </code>
/// </summary>
/// <param name="Sequence">The highest sequence acknowledged.</param>
/// <param name="Id">The store's id of that message; 0 when the server has no store.</param>
internal readonly record struct AckFrame(long Sequence, long Id)
{
    private const int PayloadLength = 16;

    /// <summary>Writes the whole frame.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var span = FrameHeader.Begin(output, FrameType.Ack, PayloadLength, out var frameLength);
        BinaryPrimitives.WriteInt64BigEndian(span, Sequence);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], Id);
        output.Advance(frameLength);
    }

    /// <summary>Parses an ACK payload.</summary>
    /// <exception cref="ProtocolException">The payload is not 16 bytes.</exception>
    public static AckFrame Parse(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length != PayloadLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"ACK payload must be {PayloadLength} bytes");
        }

        Span<byte> bytes = stackalloc byte[PayloadLength];
        payload.CopyTo(bytes);
        return new AckFrame(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
    }
}
