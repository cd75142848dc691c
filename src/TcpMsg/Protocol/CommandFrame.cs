using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// COMMAND: a chat member asks the server something.
/// <code>
/// command  = request kind argument
/// request  = 4OCTET   ; uint32 chosen by the client, echoed in the answer's request field
/// kind     = OCTET    ; 0x01 NICK, 0x02 WHO, 0x03 PING
/// argument = *OCTET   ; UTF-8: NICK's new name; empty for WHO and PING
/// </code>
/// </summary>
/// <param name="Request">Echoed in the answer, so the client can match them.</param>
/// <param name="Kind">What is asked; a kind this version does not know is kept as its number.</param>
/// <param name="Argument">NICK: the new name. Empty otherwise.</param>
internal sealed record CommandFrame(uint Request, ChatCommandKind Kind, string Argument = "")
{
    private const int FixedLength = 5;

    // A name is at most 32 characters; anything much longer is not an argument, it is an attack.
    private const int MaxArgumentBytes = 1024;

    /// <summary>Writes the whole frame.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var argumentBytes = Encoding.UTF8.GetByteCount(Argument);
        var span = FrameHeader.Begin(output, FrameType.Command, FixedLength + argumentBytes, out var frameLength);
        BinaryPrimitives.WriteUInt32BigEndian(span, Request);
        span[4] = (byte)Kind;
        Encoding.UTF8.GetBytes(Argument, span[FixedLength..]);
        output.Advance(frameLength);
    }

    /// <summary>Parses a COMMAND payload.</summary>
    /// <exception cref="ProtocolException">The payload is too short, the argument too long or not valid UTF-8.</exception>
    public static CommandFrame Parse(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length < FixedLength)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "COMMAND frame too short");
        }

        if (payload.Length - FixedLength > MaxArgumentBytes)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, $"COMMAND argument longer than {MaxArgumentBytes} bytes");
        }

        Span<byte> fixedPart = stackalloc byte[FixedLength];
        payload.Slice(0, FixedLength).CopyTo(fixedPart);
        var argument = Utf8MessageDecoder.Decode(payload.Slice(FixedLength), out var valid);
        if (!valid)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "COMMAND argument is not valid UTF-8");
        }

        return new CommandFrame(BinaryPrimitives.ReadUInt32BigEndian(fixedPart), (ChatCommandKind)fixedPart[4], argument);
    }
}
