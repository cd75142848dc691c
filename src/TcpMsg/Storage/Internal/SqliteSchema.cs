using Microsoft.Data.Sqlite;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The database schema and its migrations. The version lives in SQLite's <c>user_version</c>;
/// each migration runs in its own transaction, so a failed start leaves the previous version intact.
/// </summary>
internal static class SqliteSchema
{
    // Index i takes the schema from version i to version i + 1. Never edit a shipped entry; append.
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE messages (
            id            INTEGER PRIMARY KEY,   -- ascending in commit order
            received_at   INTEGER NOT NULL,      -- microseconds since 1970-01-01 UTC
            peer_address  TEXT    NOT NULL,
            peer_port     INTEGER NOT NULL,
            connection_id TEXT    NOT NULL,
            framing       TEXT    NOT NULL,      -- line, whole, confirmed
            text          TEXT    NOT NULL,      -- invalid UTF-8 shown as U+FFFD
            raw           BLOB,                  -- the original bytes, only when not valid UTF-8
            client_id     TEXT,                  -- confirmed mode: the sender ...
            seq           INTEGER                -- ... and its sequence number
        );
        -- The store itself rejects a second copy of a confirmed message (NULLs never collide).
        CREATE UNIQUE INDEX messages_sender_seq ON messages (client_id, seq);
        CREATE INDEX messages_received_at ON messages (received_at);
        CREATE INDEX messages_peer ON messages (peer_address, peer_port);
        """,
        // Chat: the sender's name when it sent the message (NULL outside a chat room).
        """
        ALTER TABLE messages ADD COLUMN sender TEXT;
        """,

        // TLS: the subject of the client certificate, when the server asked for one (NULL otherwise).
        // Ingest: plain messages (no client id) stay out of the sender index, and the peer index goes;
        // each index is one more B-tree insert per message, and history --from can scan.
        """
        ALTER TABLE messages ADD COLUMN client_cert TEXT;
        DROP INDEX messages_sender_seq;
        CREATE UNIQUE INDEX messages_sender_seq ON messages (client_id, seq) WHERE client_id IS NOT NULL;
        DROP INDEX messages_peer;
        """,

        // Syslog (docs/syslog.md): the fields of a message that parsed as RFC 5424 or RFC 3164, NULL for
        // others. The body is not copied: syslog_body is where it starts in the text, in UTF-8 bytes.
        """
        ALTER TABLE messages ADD COLUMN syslog_facility INTEGER;
        ALTER TABLE messages ADD COLUMN syslog_severity INTEGER;
        ALTER TABLE messages ADD COLUMN syslog_format TEXT;
        ALTER TABLE messages ADD COLUMN syslog_timestamp TEXT;
        ALTER TABLE messages ADD COLUMN syslog_host TEXT;
        ALTER TABLE messages ADD COLUMN syslog_app TEXT;
        ALTER TABLE messages ADD COLUMN syslog_procid TEXT;
        ALTER TABLE messages ADD COLUMN syslog_msgid TEXT;
        ALTER TABLE messages ADD COLUMN syslog_sd TEXT;
        ALTER TABLE messages ADD COLUMN syslog_body INTEGER;
        """,
    ];

    public static int CurrentVersion => s_migrations.Length;

    public static void Migrate(SqliteConnection connection, string path)
    {
        var version = ReadVersion(connection);
        if (version > CurrentVersion)
        {
            throw new StoreException(StoreFailure.Corrupt, $"{path} has schema version {version}, newer than this tcpmsg understands ({CurrentVersion}); use a newer tcpmsg");
        }

        if (version == 0 && HasForeignTables(connection))
        {
            throw new StoreException(StoreFailure.Corrupt, $"{path} is a SQLite database but not a tcpmsg store");
        }

        for (var from = (int)version; from < CurrentVersion; from++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = s_migrations[from] + $"\nPRAGMA user_version = {from + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    public static long ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }

    private static bool HasForeignTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        return (long)command.ExecuteScalar()! > 0;
    }
}
