using TcpMsg.Protocol;

namespace TcpMsg.Server;

/// <summary>
/// The syslog fields of a <see cref="ReceivedMessageView"/>, read in place as slices of its UTF-8 text:
/// no string is made. An absent field (<c>-</c>, or left out by the format) is empty.
/// </summary>
public readonly ref struct SyslogView
{
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly SyslogFields _fields;

    internal SyslogView(ReadOnlySpan<byte> utf8, SyslogFields fields)
    {
        _utf8 = utf8;
        _fields = fields;
    }

    /// <summary><c>rfc5424</c> or <c>rfc3164</c>.</summary>
    public string Format => SyslogInfo.FormatName(_fields.Format);

    /// <summary>0 (kern) to 23 (local7).</summary>
    public int Facility => _fields.Facility;

    /// <summary>0 (emerg) to 7 (debug).</summary>
    public int Severity => _fields.Severity;

    /// <summary>The facility's name (<c>user</c>, <c>local0</c>...).</summary>
    public string FacilityName => SyslogNames.Facility(_fields.Facility);

    /// <summary>The severity's name (<c>warning</c>...).</summary>
    public string SeverityName => SyslogNames.Severity(_fields.Severity);

    /// <summary>The sender's timestamp as sent.</summary>
    public ReadOnlySpan<byte> Timestamp => _fields.Timestamp.Of(_utf8);

    /// <summary>The host name.</summary>
    public ReadOnlySpan<byte> Host => _fields.Host.Of(_utf8);

    /// <summary>The application name (RFC 5424 APP-NAME, RFC 3164 TAG).</summary>
    public ReadOnlySpan<byte> App => _fields.App.Of(_utf8);

    /// <summary>The process id.</summary>
    public ReadOnlySpan<byte> ProcId => _fields.ProcId.Of(_utf8);

    /// <summary>The RFC 5424 MSGID.</summary>
    public ReadOnlySpan<byte> MsgId => _fields.MsgId.Of(_utf8);

    /// <summary>The RFC 5424 structured data as sent.</summary>
    public ReadOnlySpan<byte> StructuredData => _fields.StructuredData.Of(_utf8);

    /// <summary>The free-form message.</summary>
    public ReadOnlySpan<byte> Body => _fields.Body.Of(_utf8);
}
