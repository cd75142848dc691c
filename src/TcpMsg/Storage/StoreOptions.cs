namespace TcpMsg.Storage;

/// <summary>Where and how messages are stored. Immutable; start from <see cref="Default"/>.</summary>
public sealed record StoreOptions
{
    /// <summary>The defaults: <c>tcpmsg.db</c> in the working directory, synced on every commit.</summary>
    public static StoreOptions Default { get; } = new();

    /// <summary>
    /// The SQLite database file; created, and its schema migrated, on start. Or a PostgreSQL database,
    /// shared by several servers: <c>postgresql://user@host:port/db</c> or <c>Host=...;Database=...</c>
    /// (its schema made and migrated on start too). The password is never part of it: see <see cref="PasswordFile"/>.
    /// </summary>
    public string Path { get; init; } = "tcpmsg.db";

    /// <summary>
    /// PostgreSQL: a file whose first line is the password, read when the store is opened. Without it,
    /// the password comes from <c>PGPASSWORD</c> or a <c>.pgpass</c> file, as for libpq. Null for none.
    /// </summary>
    public string? PasswordFile { get; init; }

    /// <summary>Whether a commit waits for the disk (<see cref="Durability.Fsync"/>) or only for the operating system.</summary>
    public Durability Durability { get; init; } = Durability.Fsync;

    /// <summary>How long a commit waits for a lock held by another process before it counts as failed.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages older than this are removed, oldest first, in small batches beside the writer; null keeps them all.</summary>
    public TimeSpan? Retain { get; init; }

    /// <summary>Keeps a trigram index of the text beside the writer, so that a substring search (<see cref="HistoryQuery.Contains"/>) does not read every message. Costs CPU and about as much disk again as the text.</summary>
    public bool SearchIndex { get; init; }

    /// <summary>The oldest messages are removed while the store (database file and its write-ahead log) is larger than this, in bytes; null for no cap.</summary>
    public long? MaxSize { get; init; }
}
