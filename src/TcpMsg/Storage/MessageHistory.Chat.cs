using Microsoft.Data.Sqlite;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Storage;

/// <summary>One stored message as the chat room replays it: its text as the UTF-8 the store holds, not decoded.</summary>
internal delegate void ChatRowHandler(long id, DateTimeOffset receivedAt, string connectionId, string name, ReadOnlySpan<byte> utf8Text);

/// <summary>The chat room's catch-up read: only the columns a chat line needs, the text as bytes.</summary>
public sealed partial class MessageHistory
{
    private byte[] _chatText = new byte[1024];

    /// <summary>
    /// The first <paramref name="limit"/> messages after <paramref name="afterId"/>, oldest first,
    /// each handed to <paramref name="onRow"/> (its text valid only during the call). Returns how many.
    /// </summary>
    /// <exception cref="StoreException">The store could not be read.</exception>
    internal int ReadChatForward(long afterId, int limit, ChatRowHandler onRow)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, received_at, connection_id, text, sender, peer_address, peer_port FROM messages WHERE id > $after ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterId);
        command.Parameters.AddWithValue("$limit", limit);
        var count = 0;
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                // TEXT is stored as UTF-8: its bytes are read as they are, without a string.
                var length = (int)reader.GetBytes(3, 0, null, 0, 0);
                if (_chatText.Length < length)
                {
                    _chatText = new byte[Math.Max(length, _chatText.Length * 2)];
                }

                reader.GetBytes(3, 0, _chatText, 0, length);
                var name = reader.IsDBNull(4) ? EndPoint(reader.GetString(5), reader.GetInt32(6)) : reader.GetString(4);
                onRow(reader.GetInt64(0), SqliteMessageStore.FromMicroseconds(reader.GetInt64(1)), reader.GetString(2), name, _chatText.AsSpan(0, length));
                count++;
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _path, "cannot read");
        }

        return count;
    }

    private static string EndPoint(string address, int port) =>
        address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
}
