using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// The 8 bytes that open a confirmed-mode connection. Any other start means plain mode.
/// </summary>
/// <remarks>
/// <code>
/// preamble = %x00 "tcpmsg" %x01   ; NUL, t c p m s g, protocol version 1
/// </code>
/// </remarks>
internal static class ConfirmedPreamble
{
    /// <summary>The preamble's length in bytes.</summary>
    public const int Length = 8;

    /// <summary>The preamble.</summary>
    public static ReadOnlySpan<byte> Bytes => [0x00, (byte)'t', (byte)'c', (byte)'p', (byte)'m', (byte)'s', (byte)'g', 0x01];

    /// <summary>
    /// Decides the mode from the connection's first bytes: confirmed once all 8 preamble bytes are
    /// there, plain as soon as one byte differs (or the client finished sending before 8 bytes),
    /// otherwise more bytes are needed.
    /// </summary>
    public static PreambleMatch Match(in ReadOnlySequence<byte> input, bool isFinal)
    {
        Span<byte> first = stackalloc byte[Length];
        var available = (int)Math.Min(input.Length, Length);
        input.Slice(0, available).CopyTo(first);
        if (!first[..available].SequenceEqual(Bytes[..available]))
        {
            return PreambleMatch.Plain;
        }

        return available == Length
            ? PreambleMatch.Confirmed
            : isFinal ? PreambleMatch.Plain : PreambleMatch.NeedMoreData;
    }
}
