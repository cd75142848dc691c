using System.Buffers;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>GOODBYE: the sender will send nothing more. Its payload is empty.</summary>
internal static class GoodbyeFrame
{
    /// <summary>Writes the whole frame.</summary>
    public static void Write(IBufferWriter<byte> output)
    {
        FrameHeader.Begin(output, FrameType.Goodbye, 0, out var frameLength);
        output.Advance(frameLength);
    }

    /// <summary>Checks a GOODBYE payload, which must be empty.</summary>
    /// <exception cref="ProtocolException">The payload is not empty.</exception>
    public static void Parse(in ReadOnlySequence<byte> payload)
    {
        if (!payload.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "GOODBYE payload must be empty");
        }
    }
}
