using Microsoft.Data.Sqlite;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage;

/// <summary>One stored message as the chat room replays it: its text as the UTF-8 the store holds, not decoded.</summary>
internal delegate void ChatRowHandler(long id, DateTimeOffset receivedAt, string connectionId, string name, ReadOnlySpan<byte> utf8Text);

/// <summary>The chat room's catch-up read: only the columns a chat line needs, the text as bytes.</summary>
public sealed partial class MessageHistory
{
    /// <summary>
    /// The first <paramref name="limit"/> messages after <paramref name="afterId"/>, oldest first,
    /// each handed to <paramref name="onRow"/> (its text valid only during the call). Returns how many.
    /// </summary>
    /// <exception cref="TcpMsgException">The store could not be read.</exception>
    internal int ReadChatForward(long afterId, int limit, ChatRowHandler onRow)
    {
        if (_postgres is not null)
        {
            return _postgres.ReadChatForward(afterId, limit, onRow);
        }

        using var command = _connection.CreateCommand();
        // The name is made here, not per column in .NET: each column read is a call into SQLite.
        command.CommandText = "SELECT m.id, m.received_at, c.connection_id, m.text, coalesce(m.sender, CASE WHEN instr(c.peer_address, ':') > 0 " +
            "THEN '[' || c.peer_address || ']:' ELSE c.peer_address || ':' END || c.peer_port) " +
            "FROM messages AS m CROSS JOIN connections AS c ON c.id = m.connection WHERE m.id > $after ORDER BY m.id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        var count = 0;
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                // TEXT is stored as UTF-8: its bytes are read as they are, without a string
                // (GetBytes would open an incremental blob per row; this is sqlite3_column_blob).
                var text = reader.GetFieldValue<byte[]>(3);
                onRow(reader.GetInt64(0), SqliteMessageStore.FromMicroseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(4), text);
                count++;
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _path, "cannot read");
        }

        return count;
    }
}
