using SQLitePCL;
using TcpMsg.Protocol;
using TcpMsg.Server.Internal;

namespace TcpMsg.Storage.Internal;

/// <summary>The syslog fields, a row of their own for the messages that parsed as syslog.</summary>
internal sealed partial class MessageWriter
{
    /// <summary>Stores the syslog fields of <paramref name="message"/> (already given its id) as slices of its UTF-8 text; nothing for other messages.</summary>
    private void InsertSyslog(PendingMessage message)
    {
        if (!message.TryGetSyslog(out var f))
        {
            return;
        }

        var s = _insertSyslog;
        var text = message.Text;
        raw.sqlite3_bind_int64(s, 1, message.Id);
        raw.sqlite3_bind_int(s, 2, f.Facility);
        raw.sqlite3_bind_int(s, 3, f.Severity);
        raw.sqlite3_bind_text(s, 4, f.Format == SyslogFormat.Rfc5424 ? "rfc5424"u8 : "rfc3164"u8);
        BindField(s, 5, f.Timestamp, text);
        BindField(s, 6, f.Host, text);
        BindField(s, 7, f.App, text);
        BindField(s, 8, f.ProcId, text);
        BindField(s, 9, f.MsgId, text);
        BindField(s, 10, f.StructuredData, text);
        raw.sqlite3_bind_int(s, 11, f.Body.IsPresent ? f.Body.Start : text.Length);
        var result = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        Check(result, raw.SQLITE_DONE);
    }

    private static void BindField(sqlite3_stmt s, int index, SyslogField field, ReadOnlySpan<byte> text)
    {
        if (field.IsPresent)
        {
            raw.sqlite3_bind_text(s, index, field.Of(text));
        }
        else
        {
            raw.sqlite3_bind_null(s, index);
        }
    }
}
