using System.Buffers;
using System.Buffers.Binary;

namespace TcpMsg.Protocol;

/// <summary>
/// Reads confirmed-mode frames: a pure function over <see cref="ReadOnlySequence{T}"/>, no I/O.
/// </summary>
/// <remarks>
/// <code>
/// frame   = length type payload
/// length  = 4OCTET   ; uint32 big-endian: bytes of type + payload, at least 1
/// type    = OCTET    ; one of FrameType
/// </code>
/// The header is checked before anything else: a declared length over the limit, a zero length or
/// an unknown type throws <see cref="ProtocolException"/> at once, so a hostile length never makes
/// the caller buffer or allocate it.
/// </remarks>
internal static class FrameReader
{
    /// <summary>The bytes of the length and type fields.</summary>
    public const int HeaderLength = 5;

    /// <summary>
    /// Tries to read one frame from the start of <paramref name="input"/>.
    /// </summary>
    /// <param name="input">The unconsumed bytes.</param>
    /// <param name="maxFrameLength">The largest <c>length</c> accepted (type + payload).</param>
    /// <param name="type">The frame's type.</param>
    /// <param name="payload">The frame's payload, a slice of <paramref name="input"/>.</param>
    /// <param name="consumed">Where the frame ends.</param>
    /// <returns>True when a whole frame was there; false when more bytes are needed.</returns>
    /// <exception cref="ProtocolException">The header is invalid.</exception>
    public static bool TryReadFrame(
        in ReadOnlySequence<byte> input,
        int maxFrameLength,
        out FrameType type,
        out ReadOnlySequence<byte> payload,
        out SequencePosition consumed)
    {
        type = default;
        payload = default;
        consumed = input.Start;
        if (input.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        input.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "frame length 0");
        }

        if (length > (uint)maxFrameLength)
        {
            throw new ProtocolException(ProtocolErrorCode.TooLarge, $"frame of {length} bytes exceeds the limit of {maxFrameLength}");
        }

        type = (FrameType)header[4];
        if (type is < FrameType.Hello or > FrameType.Command)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"unknown frame type 0x{header[4]:X2}");
        }

        if (input.Length < 4 + length)
        {
            return false;
        }

        payload = input.Slice(HeaderLength, length - 1);
        consumed = payload.End;
        return true;
    }
}
