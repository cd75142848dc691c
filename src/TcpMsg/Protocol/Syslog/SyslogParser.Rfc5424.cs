namespace TcpMsg.Protocol;

internal static partial class SyslogParser
{
    // RFC 5424 section 6:
    //   SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG]
    //   HEADER     = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
    //   VERSION    = NONZERO-DIGIT 0*2DIGIT
    //   HOSTNAME   = NILVALUE / 1*255PRINTUSASCII
    //   APP-NAME   = NILVALUE / 1*48PRINTUSASCII
    //   PROCID     = NILVALUE / 1*128PRINTUSASCII
    //   MSGID      = NILVALUE / 1*32PRINTUSASCII
    //   TIMESTAMP  = NILVALUE / FULL-DATE "T" FULL-TIME
    //   MSG        = MSG-ANY / MSG-UTF8 ; MSG-UTF8 = BOM UTF-8-STRING, BOM = %xEF.BB.BF
    //   NILVALUE   = "-"
    private static bool TryParse5424(ReadOnlySpan<byte> message, int at, int pri, out SyslogFields fields)
    {
        fields = default;
        while (message[at] != (byte)' ')
        {
            at++;
        }

        at++;
        var timestampStart = at;
        SyslogField timestamp = default;
        if (at < message.Length && message[at] == (byte)'-')
        {
            at++;
        }
        else if (TryReadRfc3339(message, ref at))
        {
            timestamp = new SyslogField(timestampStart, at - timestampStart);
        }
        else
        {
            return false;
        }

        if (!TrySkipSpace(message, ref at) ||
            !TryReadToken(message, ref at, 255, out var host) || !TrySkipSpace(message, ref at) ||
            !TryReadToken(message, ref at, 48, out var app) || !TrySkipSpace(message, ref at) ||
            !TryReadToken(message, ref at, 128, out var procId) || !TrySkipSpace(message, ref at) ||
            !TryReadToken(message, ref at, 32, out var msgId) || !TrySkipSpace(message, ref at) ||
            !TryReadStructuredData(message, ref at, out var structuredData))
        {
            return false;
        }

        SyslogField body = default;
        if (at < message.Length)
        {
            if (!TrySkipSpace(message, ref at))
            {
                return false;
            }

            if (message[at..].StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                at += 3;
            }

            body = new SyslogField(at, message.Length - at);
        }

        fields = new SyslogFields
        {
            Format = SyslogFormat.Rfc5424,
            Facility = pri / 8,
            Severity = pri % 8,
            Timestamp = timestamp,
            Host = host,
            App = app,
            ProcId = procId,
            MsgId = msgId,
            StructuredData = structuredData,
            Body = body,
        };
        return true;
    }
}
