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
        var failure = Sort(ex, path);
        var what = failure switch
        {
            StoreFailure.Locked => "the database is locked by another process",
            StoreFailure.ReadOnly => "the database is read-only (the file, or the file system it is on); make it writable, or use a writable path",
            StoreFailure.IoError => "disk I/O error",
            StoreFailure.Corrupt => $"the file is damaged or not a tcpmsg database; restore it from a backup, save what is readable with `sqlite3 {path} .recover`, or start a new store elsewhere",
            StoreFailure.DiskFull => "the disk is full",
            StoreFailure.CannotOpen => "the file cannot be opened; check that it and its directory exist and are readable and writable, or use another path",
            _ => ex.Message,
        };
        return new StoreException(failure, $"{doing} {path}: {what}", ex);
    }

    private static StoreFailure Sort(SqliteException ex, string path)
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

        // A read-only file system (or file) shows as "cannot open" when SQLite cannot make the
        // -shm file, or as an I/O error; say what it is.
        return failure is StoreFailure.CannotOpen or StoreFailure.IoError && IsReadOnly(path) ? StoreFailure.ReadOnly : failure;
    }

    private static bool IsReadOnly(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        catch (IOException ex)
        {
            return ex.HResult == 30; // EROFS
        }
    }
}
