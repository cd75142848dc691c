using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// ERROR: a message, or the whole connection, failed.
/// <code>
/// error = sequence code reason   ; sequence uint64 (0: the connection), code uint16, reason UTF-8
/// </code>
/// </summary>
/// <param name="Sequence">The message concerned, or 0 for the connection.</param>
/// <param name="Code">What went wrong.</param>
/// <param name="Reason">A short English explanation.</param>
internal sealed record ErrorFrame(long Sequence, ProtocolErrorCode Code, string Reason)
{
    private const int FixedLength = 10;

    // Reasons are for people; a hostile or buggy peer cannot make us keep a long one.
    private const int MaxReasonBytes = 1024;

    /// <summary>True for errors after which resending the message later may succeed.</summary>
    public bool IsRetryable => Code is ProtocolErrorCode.StoreFailed or ProtocolErrorCode.ShuttingDown;

    /// <summary>The refusal as the client reports it: the public code, the server's reason in <see cref="TcpMsgException.Reason"/>.</summary>
    public TcpMsgException ToRejection() =>
        new(Code.ToErrorCode(), Sequence > 0 ? $"message {Sequence} rejected ({Code}): {Reason}" : $"rejected ({Code}): {Reason}") { Reason = Reason };

    /// <summary>Writes the whole frame; a long reason is cut to 1 KiB.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var reason = Encoding.UTF8.GetBytes(Reason);
        var length = Math.Min(reason.Length, MaxReasonBytes);
        var span = FrameHeader.Begin(output, FrameType.Error, FixedLength + length, out var frameLength);
        BinaryPrimitives.WriteInt64BigEndian(span, Sequence);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)Code);
        reason.AsSpan(0, length).CopyTo(span[FixedLength..]);
        output.Advance(frameLength);
    }

    /// <summary>Parses an ERROR payload.</summary>
    /// <exception cref="ProtocolException">The payload is too short.</exception>
    public static ErrorFrame Parse(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < FixedLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "ERROR frame too short");
        }

        Span<byte> bytes = stackalloc byte[FixedLength];
        payload.Slice(0, FixedLength).CopyTo(bytes);
        var reasonBytes = payload.Slice(FixedLength);
        var reason = Utf8MessageDecoder.Decode(reasonBytes.Slice(0, Math.Min(reasonBytes.Length, MaxReasonBytes)), out _);
        return new ErrorFrame(
            BinaryPrimitives.ReadInt64BigEndian(bytes),
            (ProtocolErrorCode)BinaryPrimitives.ReadUInt16BigEndian(bytes[8..]),
            reason);
    }
}
