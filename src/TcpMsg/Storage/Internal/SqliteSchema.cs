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

        // Version 5 (issue #13): what belongs to a connection is stored once, in connections, and each
        // message refers to its row; the syslog fields move to a table of their own keyed by the
        // message id, so a plain message carries no ten empty columns. The rows keep their ids, client
        // ids and sequence numbers (exactly-once goes on across the upgrade). Indexes: only what
        // history and the writer query: (client_id, seq) for confirmed senders, received_at for --since.
        """
        CREATE TABLE connections (
            id            INTEGER PRIMARY KEY,
            connection_id TEXT    NOT NULL,      -- the server's id of the connection
            peer_address  TEXT    NOT NULL,
            peer_port     INTEGER NOT NULL,
            framing       TEXT    NOT NULL,      -- line, whole, confirmed
            client_cert   TEXT                   -- TLS: the client certificate's subject
        );
        INSERT INTO connections (connection_id, peer_address, peer_port, framing, client_cert)
            SELECT connection_id, peer_address, peer_port, framing, client_cert FROM messages
            GROUP BY connection_id, peer_address, peer_port, framing, client_cert ORDER BY min(id);
        CREATE INDEX connections_upgrade ON connections (connection_id, peer_address, peer_port, framing);
        CREATE TABLE messages_v5 (
            id            INTEGER PRIMARY KEY,   -- ascending in commit order
            received_at   INTEGER NOT NULL,      -- microseconds since 1970-01-01 UTC
            connection    INTEGER NOT NULL,      -- connections.id
            text          TEXT    NOT NULL,      -- invalid UTF-8 shown as U+FFFD
            raw           BLOB,                  -- the original bytes, only when not valid UTF-8
            client_id     TEXT,                  -- confirmed mode: the sender ...
            seq           INTEGER,               -- ... and its sequence number
            sender        TEXT                   -- chat: the sender's name
        );
        INSERT INTO messages_v5 (id, received_at, connection, text, raw, client_id, seq, sender)
            SELECT m.id, m.received_at, c.id, m.text, m.raw, m.client_id, m.seq, m.sender
            FROM messages AS m JOIN connections AS c
                ON c.connection_id = m.connection_id AND c.peer_address = m.peer_address AND c.peer_port = m.peer_port
                AND c.framing = m.framing AND c.client_cert IS m.client_cert;
        CREATE TABLE syslog (
            message       INTEGER PRIMARY KEY,   -- messages.id
            facility      INTEGER NOT NULL,
            severity      INTEGER NOT NULL,
            format        TEXT    NOT NULL,      -- rfc5424, rfc3164
            timestamp     TEXT,
            host          TEXT,
            app           TEXT,
            procid        TEXT,
            msgid         TEXT,
            sd            TEXT,
            body          INTEGER NOT NULL       -- where the body starts in the text, in UTF-8 bytes
        );
        INSERT INTO syslog (message, facility, severity, format, timestamp, host, app, procid, msgid, sd, body)
            SELECT id, syslog_facility, syslog_severity, syslog_format, syslog_timestamp, syslog_host, syslog_app, syslog_procid, syslog_msgid, syslog_sd, syslog_body
            FROM messages WHERE syslog_format IS NOT NULL;
        DROP TABLE messages;
        DROP INDEX connections_upgrade;
        ALTER TABLE messages_v5 RENAME TO messages;
        CREATE UNIQUE INDEX messages_sender_seq ON messages (client_id, seq) WHERE client_id IS NOT NULL;
        CREATE INDEX messages_received_at ON messages (received_at);
        -- Retention (--retain, --max-store-size): how far messages were removed, for history to say so.
        CREATE TABLE retention (
            id            INTEGER PRIMARY KEY CHECK (id = 1),
            through_id    INTEGER NOT NULL,      -- every message up to this id was removed ...
            through_time  INTEGER NOT NULL,      -- ... the newest of them received at this time (microseconds)
            removed       INTEGER NOT NULL       -- how many in all
        );
        -- history --contains: a trigram index of the text (substrings, any script), kept by the
        -- indexer beside the writer (serve --search-index) up to search_state.through_id; detail=none
        -- keeps only which rows hold a trigram, and the text itself stays in messages.
        CREATE VIRTUAL TABLE search USING fts5(text, content='messages', content_rowid='id', tokenize='trigram', detail='none');
        CREATE TABLE search_state (
            id            INTEGER PRIMARY KEY CHECK (id = 1),
            through_id    INTEGER NOT NULL       -- every message up to this id is in search
        );
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
