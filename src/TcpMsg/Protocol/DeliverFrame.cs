using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// DELIVER: one message of the chat room, sent to a member.
/// <code>
/// deliver = id time flags nlen name text
/// id      = 8OCTET   ; int64: the store's id (0 without a store)
/// time    = 8OCTET   ; int64: microseconds since 1970-01-01T00:00:00Z
/// flags   = OCTET    ; bit 0: history (stored before the member joined)
/// nlen    = OCTET    ; bytes of name
/// name    = *OCTET   ; UTF-8
/// text    = *OCTET   ; UTF-8, the rest of the frame
/// </code>
/// </summary>
/// <param name="Id">The store's id of the message; 0 when the server has no store.</param>
/// <param name="Time">When the server received it (UTC, microsecond precision).</param>
/// <param name="Name">The sender's name when it sent the message.</param>
/// <param name="Text">The message.</param>
/// <param name="IsHistory">True for a message stored before the member joined.</param>
internal sealed record DeliverFrame(long Id, DateTimeOffset Time, string Name, string Text, bool IsHistory = false)
{
    private const int FixedLength = 18;
    private const byte HistoryFlag = 0x01;

    /// <summary>The longest name a DELIVER can carry, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = byte.MaxValue;

    /// <summary>Writes the whole frame; name and text are encoded straight into the output.</summary>
    /// <exception cref="InvalidOperationException">The name is longer than <see cref="MaxNameBytes"/>.</exception>
    public void Write(IBufferWriter<byte> output)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(Name);
        if (nameBytes > MaxNameBytes)
        {
            throw new InvalidOperationException($"a DELIVER name is at most {MaxNameBytes} bytes");
        }

        var textBytes = Encoding.UTF8.GetByteCount(Text);
        var span = FrameHeader.Begin(output, FrameType.Deliver, FixedLength + nameBytes + textBytes, out var frameLength);
        BinaryPrimitives.WriteInt64BigEndian(span, Id);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], ToMicroseconds(Time));
        span[16] = IsHistory ? HistoryFlag : (byte)0;
        span[17] = (byte)nameBytes;
        Encoding.UTF8.GetBytes(Name, span.Slice(FixedLength, nameBytes));
        Encoding.UTF8.GetBytes(Text, span[(FixedLength + nameBytes)..]);
        output.Advance(frameLength);
    }

    /// <summary>Parses a DELIVER payload. Invalid UTF-8 shows as U+FFFD: what a member receives is shown, never refused.</summary>
    /// <exception cref="ProtocolException">The payload is shorter than its fixed part or its name.</exception>
    public static DeliverFrame Parse(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < FixedLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "DELIVER frame too short");
        }

        Span<byte> fixedPart = stackalloc byte[FixedLength];
        payload.Slice(0, FixedLength).CopyTo(fixedPart);
        var nameLength = fixedPart[17];
        if (payload.Length < FixedLength + nameLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "DELIVER name longer than the frame");
        }

        var microseconds = BinaryPrimitives.ReadInt64BigEndian(fixedPart[8..]);
        if (microseconds is < MinMicroseconds or > MaxMicroseconds)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"DELIVER time {microseconds} out of range");
        }

        var name = Utf8MessageDecoder.Decode(payload.Slice(FixedLength, nameLength), out _);
        var text = Utf8MessageDecoder.Decode(payload.Slice(FixedLength + nameLength), out _);
        return new DeliverFrame(
            BinaryPrimitives.ReadInt64BigEndian(fixedPart),
            FromMicroseconds(microseconds),
            name,
            text,
            (fixedPart[16] & HistoryFlag) != 0);
    }

    // The first and last microseconds DateTimeOffset can hold (0001-01-01 and 9999-12-31), relative to 1970.
    private const long MinMicroseconds = -62_135_596_800_000_000;
    private const long MaxMicroseconds = 253_402_300_799_999_999;

    internal static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    internal static DateTimeOffset FromMicroseconds(long microseconds) => new(DateTime.UnixEpoch.Ticks + (microseconds * 10), TimeSpan.Zero);
}
