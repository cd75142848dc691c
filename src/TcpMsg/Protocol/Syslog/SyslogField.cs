using System.Text;

namespace TcpMsg.Protocol;

/// <summary>
/// Where one syslog field lies in the message's UTF-8 bytes. The default (length 0) is an absent field:
/// a NILVALUE (<c>-</c>) or a part the format left out.
/// </summary>
internal readonly record struct SyslogField(int Start, int Length)
{
    public bool IsPresent => Length > 0;

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> message) => message.Slice(Start, Length);

    /// <summary>The field as text, made only when asked for; null when absent.</summary>
    public string? ToString(ReadOnlySpan<byte> message) => IsPresent ? Encoding.UTF8.GetString(Of(message)) : null;
}
