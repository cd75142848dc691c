using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Decodes the PROXY protocol header (versions 1 and 2) that a load balancer puts before a client's
/// first byte, so the server learns the client's real address. A pure function over
/// <see cref="ReadOnlySequence{T}"/>: no I/O, no text decoding, no allocation beyond the result.
/// </summary>
/// <remarks>
/// Specification: haproxy's <c>doc/proxy-protocol.txt</c>. Version detection (section 2.2):
/// <code>
/// header = v2 / v1                        ; the first byte tells them apart: %x0D or "P"
/// v2     = %x0D.0A.0D.0A.00.0D.0A.51.55.49.54.0A ver-cmd fam len 0*65535OCTET
/// v1     = "PROXY" SP ... CRLF            ; at most 107 bytes, CRLF included
/// </code>
/// Anything else is rejected at once, as soon as a byte contradicts both forms: the specification
/// says the receiver must not guess and should abort early. A header longer than its limit is
/// rejected before more of it is buffered.
/// </remarks>
internal static partial class ProxyProtocolReader
{
    /// <summary>The longest version 1 line, CRLF included (specification section 2.1).</summary>
    public const int MaxV1Length = 107;

    /// <summary>
    /// The longest version 2 header tcpmsg accepts: 16 fixed bytes plus addresses and TLVs. The format
    /// allows 65,551; real proxies send well under 1 KiB (addresses, an ALPN, an SNI, a unique id).
    /// </summary>
    public const int MaxV2Length = 4096;

    /// <summary>
    /// Tries to read a PROXY header from the start of <paramref name="input"/>, the connection's first bytes.
    /// </summary>
    /// <param name="input">The bytes received so far.</param>
    /// <param name="header">The header, when the method returns true.</param>
    /// <param name="consumed">The end of the header when one was read; otherwise the start of the input.</param>
    /// <param name="examined">How far the input was examined: its end when more bytes are needed.</param>
    /// <returns>True when a complete header was read; false when more bytes are needed.</returns>
    /// <exception cref="ProxyProtocolException">The bytes are not a valid header, or it is longer than allowed.</exception>
    public static bool TryRead(
        in ReadOnlySequence<byte> input,
        out ProxyHeader? header,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        header = null;
        consumed = input.Start;
        examined = input.End;
        if (input.IsEmpty)
        {
            return false;
        }

        var first = input.FirstSpan[0];
        var length = first == V2Signature[0]
            ? TryReadV2(input, out header)
            : first == V1Prefix[0]
                ? TryReadV1(input, out header)
                : throw NotAHeader(input);
        if (length == 0)
        {
            return false;
        }

        consumed = input.GetPosition(length);
        examined = consumed;
        return true;
    }

    private static ProxyProtocolException NotAHeader(in ReadOnlySequence<byte> input)
    {
        Span<byte> start = stackalloc byte[8];
        var count = (int)Math.Min(input.Length, start.Length);
        input.Slice(0, count).CopyTo(start);
        return new ProxyProtocolException($"not a PROXY protocol header (first bytes: {Convert.ToHexString(start[..count])})");
    }

    /// <summary>True when <paramref name="actual"/> agrees with <paramref name="expected"/> as far as both go.</summary>
    private static bool MatchesPrefix(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        var count = Math.Min(actual.Length, expected.Length);
        return actual[..count].SequenceEqual(expected[..count]);
    }
}
