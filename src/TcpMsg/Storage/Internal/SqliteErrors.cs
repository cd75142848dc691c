using Microsoft.Data.Sqlite;

namespace TcpMsg.Storage.Internal;

/// <summary>Sorts SQLite's result codes into the failures an operator can act on.</summary>
internal static class SqliteErrors
{
    // Primary result codes, https://www.sqlite.org/rescode.html
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoErr = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADb = 26;

    public static StoreException Translate(SqliteException ex, string path, string doing)
    {
        var failure = ex.SqliteErrorCode switch
        {
            Busy or Locked => StoreFailure.Locked,
            ReadOnly => StoreFailure.ReadOnly,
            IoErr => StoreFailure.IoError,
            Corrupt or NotADb => StoreFailure.Corrupt,
            Full => StoreFailure.DiskFull,
            CantOpen => StoreFailure.CannotOpen,
            _ => StoreFailure.Other,
        };
        var what = failure switch
        {
            StoreFailure.Locked => "the database is locked by another process",
            StoreFailure.ReadOnly => "the database is read-only",
            StoreFailure.IoError => "disk I/O error",
            StoreFailure.Corrupt => "the file is damaged or not a database",
            StoreFailure.DiskFull => "the disk is full",
            StoreFailure.CannotOpen => "the file cannot be opened",
            _ => ex.Message,
        };
        return new StoreException(failure, $"{doing} {path}: {what}", ex);
    }
}
