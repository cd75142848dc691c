using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Decides once per connection, from its first bytes, whether it is octet-counted syslog.
/// </summary>
/// <remarks>
/// <code>
/// octet-counted-start = 1*20DIGIT SP "&lt;" 1*3DIGIT "&gt;"   ; MSG-LEN SP, then a syslog PRI
/// </code>
/// Anything else is a line-framed connection, so a plain line that starts with digits
/// (<c>2023 was a year</c>) stays a line: rsyslog decides from the first byte alone and takes such a
/// line for a count. The PRI after the count is required too, so <c>12 &lt;b&gt;</c> stays a line. The
/// count itself is not checked here: the octet-counting reader checks it (leading zero, over the
/// maximum) and reports it like any bad frame. At most 26 bytes are needed to decide.
/// </remarks>
internal static class OctetCountingDetector
{
    private const int MaxCountDigits = 20;
    private const int MaxPriDigits = 3;

    /// <summary>Looks at the start of a connection's bytes.</summary>
    /// <param name="input">The connection's first bytes.</param>
    /// <param name="isFinal">True when no more bytes will follow: an unfinished match is lines.</param>
    public static FramingDetection Detect(in ReadOnlySequence<byte> input, bool isFinal)
    {
        // States: 0 count digits, 1 after SP (expect '<'), 2 PRI digits.
        var state = 0;
        var digits = 0;
        foreach (var memory in input)
        {
            foreach (var b in memory.Span)
            {
                var isDigit = b is >= (byte)'0' and <= (byte)'9';
                switch (state)
                {
                    case 0 when isDigit && digits < MaxCountDigits:
                        digits++;
                        break;
                    case 0 when b == (byte)' ' && digits > 0:
                        state = 1;
                        break;
                    case 1 when b == (byte)'<':
                        state = 2;
                        digits = 0;
                        break;
                    case 2 when isDigit && digits < MaxPriDigits:
                        digits++;
                        break;
                    case 2 when b == (byte)'>' && digits > 0:
                        return FramingDetection.OctetCounted;
                    default:
                        return FramingDetection.Lines;
                }
            }
        }

        return isFinal ? FramingDetection.Lines : FramingDetection.Undecided;
    }
}
