namespace TcpMsg.Protocol;

internal static partial class SyslogParser
{
    private const int MaxTagLength = 48;

    // RFC 3164 section 4.1, as senders write it (util-linux logger --rfc3164, rsyslog's
    // RSYSLOG_TraditionalForwardFormat and RSYSLOG_ForwardFormat, syslog-ng's network driver):
    //   BSD-MSG   = PRI TIMESTAMP SP [HOSTNAME SP] [TAG] BODY
    //   TIMESTAMP = MONTH SP DAY SP TIME / RFC3339       ; "Dec  3 16:47:10" or "2026-12-03T16:47:10+00:00"
    //   MONTH     = "Jan" / "Feb" / ... / "Dec"
    //   DAY       = SP DIGIT / 2DIGIT
    //   TIME      = 2DIGIT ":" 2DIGIT ":" 2DIGIT
    //   HOSTNAME  = 1*255PRINTUSASCII                   ; left out by local senders: then the first word is the TAG
    //   TAG       = APP ["[" PROCID "]"] ":" (SP / end)
    //   APP       = 1*48(PRINTUSASCII except ":" "[" "]")
    //   PROCID    = 1*128(PRINTUSASCII except "]")
    // A message without a TAG keeps everything after the host as its body.
    private static bool TryParse3164(ReadOnlySpan<byte> message, int at, int pri, out SyslogFields fields)
    {
        fields = default;
        var timestampStart = at;
        if (!TryReadBsdTimestamp(message, ref at) && !TryReadRfc3339(message, ref at))
        {
            return false;
        }

        var timestamp = new SyslogField(timestampStart, at - timestampStart);
        if (!TrySkipSpace(message, ref at))
        {
            return false;
        }

        SyslogField host = default;
        if (!TryReadTag(message, at, out var app, out var procId, out var bodyStart))
        {
            if (!TryReadToken(message, ref at, 255, out host))
            {
                return false;
            }

            if (at < message.Length && !TrySkipSpace(message, ref at))
            {
                return false;
            }

            if (!TryReadTag(message, at, out app, out procId, out bodyStart))
            {
                bodyStart = at;
            }
        }

        fields = new SyslogFields
        {
            Format = SyslogFormat.Rfc3164,
            Facility = pri / 8,
            Severity = pri % 8,
            Timestamp = timestamp,
            Host = host,
            App = app,
            ProcId = procId,
            Body = new SyslogField(bodyStart, message.Length - bodyStart),
        };
        return true;
    }

    private static bool TryReadTag(ReadOnlySpan<byte> message, int at, out SyslogField app, out SyslogField procId, out int bodyStart)
    {
        app = default;
        procId = default;
        bodyStart = at;
        var i = at;
        while (i < message.Length && i - at < MaxTagLength && IsPrintUsAscii(message[i]) && message[i] is not ((byte)':' or (byte)'[' or (byte)']'))
        {
            i++;
        }

        if (i == at || i >= message.Length)
        {
            return false;
        }

        var name = new SyslogField(at, i - at);
        if (message[i] == (byte)'[')
        {
            var pidStart = ++i;
            while (i < message.Length && i - pidStart < 128 && IsPrintUsAscii(message[i]) && message[i] != (byte)']')
            {
                i++;
            }

            if (i == pidStart || i + 1 >= message.Length || message[i] != (byte)']')
            {
                return false;
            }

            procId = new SyslogField(pidStart, i - pidStart);
            i++;
        }

        // The colon ends a tag only before SP or the end: "a:b" is a word, such as an IPv6 host.
        if (message[i] != (byte)':' || (i + 1 < message.Length && message[i + 1] != (byte)' '))
        {
            procId = default;
            return false;
        }

        i++;
        TrySkipSpace(message, ref i);
        app = name;
        bodyStart = i;
        return true;
    }

    private static bool TryReadBsdTimestamp(ReadOnlySpan<byte> message, ref int at)
    {
        // "Mmm dd hh:mm:ss": 15 bytes.
        if (message.Length - at < 15)
        {
            return false;
        }

        var s = message.Slice(at, 15);
        if (MonthIndex(s[..3]) < 0 || s[3] != (byte)' ' || s[6] != (byte)' ')
        {
            return false;
        }

        var day = s[4] == (byte)' ' ? (IsDigit(s[5]) ? s[5] - '0' : -1) : TwoDigits(s, 4);
        if (day is < 1 or > 31 || !TryReadTime(s, 7))
        {
            return false;
        }

        at += 15;
        return true;
    }

    private static int MonthIndex(ReadOnlySpan<byte> name)
    {
        ReadOnlySpan<byte> months = "JanFebMarAprMayJunJulAugSepOctNovDec"u8;
        for (var m = 0; m < 12; m++)
        {
            if (months.Slice(m * 3, 3).SequenceEqual(name))
            {
                return m;
            }
        }

        return -1;
    }
}
