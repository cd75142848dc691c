namespace TcpMsg.Storage;

/// <summary>Why the store could not commit.</summary>
public enum StoreFailure
{
    /// <summary>The disk is full.</summary>
    DiskFull,

    /// <summary>The database is read-only.</summary>
    ReadOnly,

    /// <summary>Another process holds a lock on the database.</summary>
    Locked,

    /// <summary>The operating system reported an I/O error.</summary>
    IoError,

    /// <summary>The database file cannot be opened.</summary>
    CannotOpen,

    /// <summary>The database is damaged or not a tcpmsg database.</summary>
    Corrupt,

    /// <summary>Another reason; see the message.</summary>
    Other,
}
