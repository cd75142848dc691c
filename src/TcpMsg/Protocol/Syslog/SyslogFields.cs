namespace TcpMsg.Protocol;

/// <summary>
/// The fields of one parsed syslog message, as offsets into its UTF-8 bytes: nothing is copied or
/// decoded until a consumer asks for a field's text (<see cref="SyslogField.ToString(ReadOnlySpan{byte})"/>).
/// </summary>
internal readonly record struct SyslogFields
{
    public SyslogFormat Format { get; init; }

    /// <summary>0 (kern) to 23 (local7): PRI / 8.</summary>
    public int Facility { get; init; }

    /// <summary>0 (emerg) to 7 (debug): PRI % 8.</summary>
    public int Severity { get; init; }

    /// <summary>As sent: RFC 3339 for RFC 5424 (and some RFC 3164 senders), <c>Mmm dd hh:mm:ss</c> otherwise.</summary>
    public SyslogField Timestamp { get; init; }

    public SyslogField Host { get; init; }

    public SyslogField App { get; init; }

    public SyslogField ProcId { get; init; }

    public SyslogField MsgId { get; init; }

    /// <summary>RFC 5424 structured data as sent (<c>[id k="v"]...</c>), checked against its grammar.</summary>
    public SyslogField StructuredData { get; init; }

    /// <summary>The free-form message, without the UTF-8 BOM RFC 5424 allows before it.</summary>
    public SyslogField Body { get; init; }
}
