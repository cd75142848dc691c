namespace TcpMsg.Storage;

/// <summary>How hard the store works to keep a committed message.</summary>
public enum Durability
{
    /// <summary>Every commit is synced to disk: an acknowledged message survives a power loss.</summary>
    Fsync,

    /// <summary>Commits reach the operating system, not necessarily the disk: they survive a crash of the server process, not of the machine. Faster.</summary>
    Process,
}
