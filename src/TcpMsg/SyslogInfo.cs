using TcpMsg.Protocol;

namespace TcpMsg;

/// <summary>The syslog fields of a message (RFC 5424 or RFC 3164), as the sender wrote them.</summary>
/// <param name="Format"><c>rfc5424</c> or <c>rfc3164</c>.</param>
/// <param name="Facility">0 (kern) to 23 (local7).</param>
/// <param name="Severity">0 (emerg) to 7 (debug).</param>
/// <param name="Timestamp">The sender's timestamp as sent; null when it sent none (<c>-</c>).</param>
/// <param name="Host">The sender's host name; null when absent.</param>
/// <param name="App">The application (RFC 5424 APP-NAME, RFC 3164 TAG); null when absent.</param>
/// <param name="ProcId">The process id; null when absent.</param>
/// <param name="MsgId">The RFC 5424 MSGID; null when absent.</param>
/// <param name="StructuredData">The RFC 5424 structured data as sent (<c>[id k="v"]</c>); null when absent.</param>
/// <param name="Body">The free-form message.</param>
public sealed record SyslogInfo(
    string Format,
    int Facility,
    int Severity,
    string? Timestamp,
    string? Host,
    string? App,
    string? ProcId,
    string? MsgId,
    string? StructuredData,
    string Body)
{
    /// <summary>The facility's name: <c>kern</c>, <c>user</c>, ..., <c>local7</c>.</summary>
    public string FacilityName => SyslogNames.Facility(Facility);

    /// <summary>The severity's name: <c>emerg</c>, <c>alert</c>, <c>crit</c>, <c>err</c>, <c>warning</c>, <c>notice</c>, <c>info</c>, <c>debug</c>.</summary>
    public string SeverityName => SyslogNames.Severity(Severity);

    /// <summary>Reads a severity name (<c>warning</c>, <c>warn</c>, <c>err</c>...) or number 0-7.</summary>
    public static bool TryParseSeverity(string text, out int severity) => SyslogNames.TryParseSeverity(text, out severity);

    internal static string FormatName(SyslogFormat format) => format == SyslogFormat.Rfc5424 ? "rfc5424" : "rfc3164";

    /// <summary>Makes the strings of parsed fields.</summary>
    internal static SyslogInfo From(in SyslogFields f, ReadOnlySpan<byte> utf8) => new(
        FormatName(f.Format), f.Facility, f.Severity, f.Timestamp.ToString(utf8), f.Host.ToString(utf8), f.App.ToString(utf8),
        f.ProcId.ToString(utf8), f.MsgId.ToString(utf8), f.StructuredData.ToString(utf8), f.Body.ToString(utf8) ?? string.Empty);
}
