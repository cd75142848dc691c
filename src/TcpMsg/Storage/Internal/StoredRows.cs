using System.Data.Common;
using System.Text;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// A row of a history query as a <see cref="StoredMessage"/>, for both stores: their queries select
/// the same columns in the same order (0-11 the message and its connection, 12-21 its syslog fields);
/// only how a time is kept differs, so the caller reads column 1.
/// </summary>
internal static class StoredRows
{
    public static StoredMessage Read(DbDataReader reader, DateTimeOffset receivedAt)
    {
        var text = reader.GetString(6);
        return new StoredMessage(
            reader.GetInt64(0),
            receivedAt,
            reader.GetString(2),
            reader.GetInt32(3),
            reader.GetString(4),
            reader.GetString(5),
            text,
            reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? 0 : reader.GetInt64(9))
        {
            Sender = reader.IsDBNull(10) ? null : reader.GetString(10),
            ClientCertificate = reader.IsDBNull(11) ? null : reader.GetString(11),
            Syslog = ReadSyslog(reader, text),
        };
    }

    // Columns 12-21: format, facility, severity, timestamp, host, app, procid, msgid, sd, body offset.
    private static SyslogInfo? ReadSyslog(DbDataReader reader, string text)
    {
        if (reader.IsDBNull(12))
        {
            return null;
        }

        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
        var utf8 = Encoding.UTF8.GetBytes(text);
        var bodyAt = Math.Clamp(reader.GetInt32(21), 0, utf8.Length);
        return new SyslogInfo(reader.GetString(12), reader.GetInt32(13), reader.GetInt32(14), Text(15), Text(16), Text(17), Text(18), Text(19), Text(20),
            Encoding.UTF8.GetString(utf8, bodyAt, utf8.Length - bodyAt));
    }
}
