using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Reads the fields of a syslog message (RFC 5424 or RFC 3164): a pure function over its bytes, no
/// I/O, no text decoding; the result is offsets into the bytes (<see cref="SyslogFields"/>).
/// </summary>
/// <remarks>
/// <code>
/// message = PRI ( rfc5424 / rfc3164 )    ; rfc5424 when a VERSION and SP follow PRI
/// PRI     = "&lt;" PRIVAL "&gt;"
/// PRIVAL  = "0" / NONZERO-DIGIT 0*2DIGIT ; 0 .. 191: facility * 8 + severity
/// </code>
/// A message that starts like syslog but breaks its grammar is not syslog: the parser says no and
/// the caller keeps the message whole, as plain text. Nothing is ever dropped for failing to parse.
/// </remarks>
internal static partial class SyslogParser
{
    private const int MaxPri = 191;

    // RFC 3164 section 4.3.3: a message without a PRI is given priority 13, user.notice.
    private const int DefaultPri = 13;

    /// <summary>True when the bytes begin with a syslog PRI (<c>&lt;13&gt;</c>): what <c>--syslog auto</c> parses.</summary>
    public static bool StartsWithPri(ReadOnlySpan<byte> message) => TryReadPri(message, out _, out _);

    /// <summary>Parses a message that starts with PRI.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out SyslogFields fields)
    {
        fields = default;
        if (!TryReadPri(message, out var pri, out var at))
        {
            return false;
        }

        return IsVersionNext(message, at)
            ? TryParse5424(message, at, pri, out fields)
            : TryParse3164(message, at, pri, out fields);
    }

    /// <summary>
    /// Parses every message as syslog (<c>--syslog on</c>): one without a PRI is RFC 3164 with priority
    /// user.notice (RFC 3164 section 4.3.3); if even its header is missing, the whole text is the body.
    /// </summary>
    public static SyslogFields ParseAny(ReadOnlySpan<byte> message)
    {
        if (TryParse(message, out var fields))
        {
            return fields;
        }

        if (!StartsWithPri(message) && TryParse3164(message, 0, DefaultPri, out fields))
        {
            return fields;
        }

        return new SyslogFields
        {
            Format = SyslogFormat.Rfc3164,
            Facility = DefaultPri / 8,
            Severity = DefaultPri % 8,
            Body = new SyslogField(0, message.Length),
        };
    }

    /// <summary>The same over a sequence: a message in several segments is copied once to parse it.</summary>
    public static bool TryParse(in ReadOnlySequence<byte> message, out SyslogFields fields)
    {
        if (message.IsSingleSegment)
        {
            return TryParse(message.FirstSpan, out fields);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)message.Length);
        try
        {
            message.CopyTo(buffer);
            return TryParse(buffer.AsSpan(0, (int)message.Length), out fields);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryReadPri(ReadOnlySpan<byte> message, out int pri, out int next)
    {
        pri = 0;
        next = 0;
        if (message.Length < 3 || message[0] != (byte)'<')
        {
            return false;
        }

        var i = 1;
        while (i < message.Length && i <= 4 && IsDigit(message[i]))
        {
            pri = (pri * 10) + (message[i] - '0');
            i++;
        }

        var digits = i - 1;
        if (digits is 0 or > 3 || i >= message.Length || message[i] != (byte)'>' ||
            (digits > 1 && message[1] == (byte)'0') || pri > MaxPri)
        {
            return false;
        }

        next = i + 1;
        return true;
    }

    // VERSION = NONZERO-DIGIT 0*2DIGIT, then SP.
    private static bool IsVersionNext(ReadOnlySpan<byte> message, int at)
    {
        var i = at;
        if (i >= message.Length || message[i] is < (byte)'1' or > (byte)'9')
        {
            return false;
        }

        while (i < message.Length && i - at < 3 && IsDigit(message[i]))
        {
            i++;
        }

        return i < message.Length && message[i] == (byte)' ';
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // PRINTUSASCII = %d33-126
    private static bool IsPrintUsAscii(byte b) => b is >= 33 and <= 126;

    // A token of 1..max PRINTUSASCII up to SP (or the end); "-" alone is the NILVALUE (absent).
    private static bool TryReadToken(ReadOnlySpan<byte> message, ref int at, int max, out SyslogField field)
    {
        field = default;
        var start = at;
        while (at < message.Length && message[at] != (byte)' ')
        {
            if (!IsPrintUsAscii(message[at]) || at - start >= max)
            {
                return false;
            }

            at++;
        }

        var length = at - start;
        if (length == 0)
        {
            return false;
        }

        field = length == 1 && message[start] == (byte)'-' ? default : new SyslogField(start, length);
        return true;
    }

    private static bool TrySkipSpace(ReadOnlySpan<byte> message, ref int at)
    {
        if (at < message.Length && message[at] == (byte)' ')
        {
            at++;
            return true;
        }

        return false;
    }
}
