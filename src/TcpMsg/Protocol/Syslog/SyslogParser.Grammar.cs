namespace TcpMsg.Protocol;

internal static partial class SyslogParser
{
    // RFC 5424 section 6.2.3 (RFC 3339):
    //   FULL-DATE      = DATE-FULLYEAR "-" DATE-MONTH "-" DATE-MDAY   ; 4DIGIT "-" 01-12 "-" 01-31
    //   FULL-TIME      = PARTIAL-TIME TIME-OFFSET
    //   PARTIAL-TIME   = TIME-HOUR ":" TIME-MINUTE ":" TIME-SECOND [TIME-SECFRAC]
    //   TIME-SECFRAC   = "." 1*6DIGIT
    //   TIME-OFFSET    = "Z" / TIME-NUMOFFSET
    //   TIME-NUMOFFSET = ("+" / "-") TIME-HOUR ":" TIME-MINUTE
    private static bool TryReadRfc3339(ReadOnlySpan<byte> message, ref int at)
    {
        // "YYYY-MM-DDThh:mm:ss": 19 bytes, then the fraction and the offset.
        if (message.Length - at < 20)
        {
            return false;
        }

        var s = message[at..];
        if (!IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3]) || s[4] != (byte)'-' || s[7] != (byte)'-' ||
            TwoDigits(s, 5) is < 1 or > 12 || TwoDigits(s, 8) is < 1 or > 31 || s[10] != (byte)'T' || !TryReadTime(s, 11))
        {
            return false;
        }

        var i = 19;
        if (s[i] == (byte)'.')
        {
            var fraction = ++i;
            while (i < s.Length && i - fraction < 6 && IsDigit(s[i]))
            {
                i++;
            }

            if (i == fraction || i >= s.Length)
            {
                return false;
            }
        }

        if (s[i] == (byte)'Z')
        {
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-' && s.Length - i >= 6 && TwoDigits(s, i + 1) is >= 0 and <= 23 &&
            s[i + 3] == (byte)':' && TwoDigits(s, i + 4) is >= 0 and <= 59)
        {
            i += 6;
        }
        else
        {
            return false;
        }

        at += i;
        return true;
    }

    // hh:mm:ss at offset, 8 bytes; a leap second (60) is allowed.
    private static bool TryReadTime(ReadOnlySpan<byte> s, int offset) =>
        s.Length - offset >= 8 && TwoDigits(s, offset) is >= 0 and <= 23 && s[offset + 2] == (byte)':' &&
        TwoDigits(s, offset + 3) is >= 0 and <= 59 && s[offset + 5] == (byte)':' && TwoDigits(s, offset + 6) is >= 0 and <= 60;

    private static int TwoDigits(ReadOnlySpan<byte> s, int offset) =>
        IsDigit(s[offset]) && IsDigit(s[offset + 1]) ? ((s[offset] - '0') * 10) + (s[offset + 1] - '0') : -1;

    // RFC 5424 section 6.3:
    //   STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT
    //   SD-ELEMENT      = "[" SD-ID *(SP SD-PARAM) "]"
    //   SD-PARAM        = PARAM-NAME "=" %d34 PARAM-VALUE %d34
    //   SD-ID, PARAM-NAME = SD-NAME = 1*32PRINTUSASCII except "=", SP, "]", %d34
    //   PARAM-VALUE     = UTF-8-STRING ; '"', '\' and ']' escaped with '\'
    // An unescaped ']' inside a value is accepted, as rsyslog accepts it; an unescaped '"' ends the value.
    private static bool TryReadStructuredData(ReadOnlySpan<byte> message, ref int at, out SyslogField field)
    {
        field = default;
        if (at < message.Length && message[at] == (byte)'-')
        {
            at++;
            return at == message.Length || message[at] == (byte)' ';
        }

        var start = at;
        while (at < message.Length && message[at] == (byte)'[')
        {
            at++;
            if (!TryReadSdName(message, ref at))
            {
                return false;
            }

            while (at < message.Length && message[at] == (byte)' ')
            {
                at++;
                if (!TryReadSdName(message, ref at) || at + 1 >= message.Length || message[at] != (byte)'=' || message[at + 1] != (byte)'"')
                {
                    return false;
                }

                at += 2;
                while (at < message.Length && message[at] != (byte)'"')
                {
                    at += message[at] == (byte)'\\' ? 2 : 1;
                }

                if (at >= message.Length)
                {
                    return false;
                }

                at++;
            }

            if (at >= message.Length || message[at] != (byte)']')
            {
                return false;
            }

            at++;
        }

        if (at == start || (at < message.Length && message[at] != (byte)' '))
        {
            return false;
        }

        field = new SyslogField(start, at - start);
        return true;
    }

    private static bool TryReadSdName(ReadOnlySpan<byte> message, ref int at)
    {
        var start = at;
        while (at < message.Length && IsPrintUsAscii(message[at]) && message[at] is not ((byte)'=' or (byte)']' or (byte)'"') && at - start < 32)
        {
            at++;
        }

        return at > start;
    }
}
