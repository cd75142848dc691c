namespace TcpMsg.Protocol;

/// <summary>Which syslog format a message was parsed as.</summary>
internal enum SyslogFormat
{
    /// <summary>RFC 5424: <c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD MSG</c>.</summary>
    Rfc5424 = 1,

    /// <summary>RFC 3164 (BSD): <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG[PID]: MSG</c>.</summary>
    Rfc3164 = 2,
}
