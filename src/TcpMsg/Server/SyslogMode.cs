namespace TcpMsg.Server;

/// <summary>Whether plain-mode connections are read as syslog (docs/syslog.md).</summary>
public enum SyslogMode
{
    /// <summary>
    /// Octet-counted framing (RFC 6587) is detected per connection, and a message that begins with a
    /// syslog PRI (<c>&lt;13&gt;</c>) and parses as RFC 5424 or RFC 3164 gets its fields. Other text is plain.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Like <see cref="Auto"/>, and every plain message is syslog: one without a PRI is RFC 3164 with
    /// priority user.notice (RFC 3164 section 4.3.3), its whole text the body when it has no header.
    /// </summary>
    On = 1,

    /// <summary>No detection, no parsing: plain lines, as before syslog support.</summary>
    Off = 2,
}
