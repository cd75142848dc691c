namespace TcpMsg.Storage;

/// <summary>Why the store could not commit: the store codes of <see cref="TcpMsgErrorCode"/>, with the same numbers.</summary>
internal enum StoreFailure
{
    /// <summary>The disk is full.</summary>
    DiskFull = (int)TcpMsgErrorCode.DiskFull,

    /// <summary>The database is read-only.</summary>
    ReadOnly = (int)TcpMsgErrorCode.ReadOnly,

    /// <summary>Another process holds a lock on the database.</summary>
    Locked = (int)TcpMsgErrorCode.Locked,

    /// <summary>The operating system reported an I/O error.</summary>
    IoError = (int)TcpMsgErrorCode.IoError,

    /// <summary>The database file cannot be opened.</summary>
    CannotOpen = (int)TcpMsgErrorCode.CannotOpen,

    /// <summary>The database is damaged or not a tcpmsg database.</summary>
    Corrupt = (int)TcpMsgErrorCode.Corrupt,

    /// <summary>Another reason; see the message.</summary>
    Other = (int)TcpMsgErrorCode.StoreError,
}
