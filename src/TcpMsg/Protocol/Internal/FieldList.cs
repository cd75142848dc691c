using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TcpMsg.Protocol.Internal;

/// <summary>
/// The tag-length-value fields of HELLO and WELCOME.
/// <code>
/// fields = *field
/// field  = tag flen value   ; tag OCTET, flen uint16 big-endian
/// </code>
/// </summary>
internal static class FieldList
{
    public const int FieldHeaderLength = 3;

    public static void Write(ArrayBufferWriter<byte> output, byte tag, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"field 0x{tag:X2} is longer than {ushort.MaxValue} bytes", nameof(value));
        }

        var span = output.GetSpan(FieldHeaderLength + value.Length);
        span[0] = tag;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value.Length);
        value.CopyTo(span[FieldHeaderLength..]);
        output.Advance(FieldHeaderLength + value.Length);
    }

    public static void Write(ArrayBufferWriter<byte> output, byte tag, string value) =>
        Write(output, tag, Encoding.UTF8.GetBytes(value));

    public static void WriteUInt32(ArrayBufferWriter<byte> output, byte tag, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Write(output, tag, bytes);
    }

    public static void WriteUInt64(ArrayBufferWriter<byte> output, byte tag, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Write(output, tag, bytes);
    }

    /// <summary>Reads the next field; false at the end. Throws on a truncated field.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, FrameType frame, out byte tag, out ReadOnlySequence<byte> value)
    {
        value = default;
        if (!reader.TryRead(out tag))
        {
            return false;
        }

        if (!reader.TryReadBigEndian(out short signedLength))
        {
            throw Truncated(frame);
        }

        var length = (ushort)signedLength;
        if (reader.Remaining < length)
        {
            throw Truncated(frame);
        }

        value = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        return true;
    }

    public static byte ReadByte(in ReadOnlySequence<byte> value, FrameType frame, byte tag)
    {
        if (value.Length != 1)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"{frame} field 0x{tag:X2} must be 1 byte");
        }

        // Not FirstSpan[0]: a slice of a multi-segment sequence may start with an empty span.
        Span<byte> bytes = stackalloc byte[1];
        value.CopyTo(bytes);
        return bytes[0];
    }

    public static uint ReadUInt32(in ReadOnlySequence<byte> value, FrameType frame, byte tag)
    {
        if (value.Length != 4)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"{frame} field 0x{tag:X2} must be 4 bytes");
        }

        Span<byte> bytes = stackalloc byte[4];
        value.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static ulong ReadUInt64(in ReadOnlySequence<byte> value, FrameType frame, byte tag)
    {
        if (value.Length != 8)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"{frame} field 0x{tag:X2} must be 8 bytes");
        }

        Span<byte> bytes = stackalloc byte[8];
        value.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    public static string ReadText(in ReadOnlySequence<byte> value, FrameType frame, byte tag)
    {
        var text = Utf8MessageDecoder.Decode(value, out var valid);
        return valid ? text : throw new ProtocolException(ProtocolErrorCode.Protocol, $"{frame} field 0x{tag:X2} is not valid UTF-8");
    }

    /// <summary>Writes a whole frame whose payload is <paramref name="fields"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, FrameType type, ArrayBufferWriter<byte> fields)
    {
        var span = FrameHeader.Begin(output, type, fields.WrittenCount, out var frameLength);
        fields.WrittenSpan.CopyTo(span);
        output.Advance(frameLength);
    }

    private static ProtocolException Truncated(FrameType frame) =>
        new(ProtocolErrorCode.Protocol, $"{frame} frame has a truncated field");
}
