using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// The store's files on disk: a new directory is made 0700 and a new database file 0600 (the umask
/// may make them stricter, never looser); SQLite gives its -wal and -shm files the database file's
/// mode, so an operator who wants to share the store changes the mode of the file and directory,
/// and the rest follows (docs/operations.md). Also the integrity check at start.
/// </summary>
internal static class StoreFiles
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // quick_check reads every page: on a large store that takes a while, so it stops after this long.
    private static readonly TimeSpan s_checkBudget = TimeSpan.FromSeconds(5);

    /// <summary>Creates what is missing of the directory and the (empty) database file, private to the user.</summary>
    /// <exception cref="StoreException">They cannot be created (a read-only or foreign directory).</exception>
    public static void Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        try
        {
            if (directory is not null && !Directory.Exists(directory))
            {
                CreateDirectories(directory);
            }

            if (!File.Exists(full))
            {
                // An empty file is an empty SQLite database; made here so that its mode is ours, not SQLite's 0644.
                var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = FileMode;
                }

                using var created = new FileStream(full, options);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another process creating the file at the same moment is fine; anything else is not.
            if (File.Exists(full))
            {
                return;
            }

            var failure = ex is UnauthorizedAccessException || ex.HResult == 30 /* EROFS */ ? StoreFailure.ReadOnly : StoreFailure.CannotOpen;
            throw new StoreException(failure, $"cannot create the store {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Each missing level 0700 (Directory.CreateDirectory gives the mode to the last one only).</summary>
    private static void CreateDirectories(string directory)
    {
        var missing = new Stack<string>();
        for (var d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }

        while (missing.TryPop(out var d))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(d);
            }
            else
            {
                Directory.CreateDirectory(d, DirectoryMode);
            }
        }
    }

    /// <summary>
    /// <c>PRAGMA quick_check</c>, for at most a few seconds: a store with a damaged page is refused at
    /// start, naming the file, instead of accepting writes and failing later.
    /// </summary>
    /// <exception cref="StoreException">The store is damaged.</exception>
    public static void Check(SqliteConnection connection, string path)
    {
        var handle = connection.Handle!;
        var clock = Stopwatch.StartNew();
        raw.sqlite3_progress_handler(handle, 10_000, static state => ((Stopwatch)state).Elapsed > s_checkBudget ? 1 : 0, clock);
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(3)";
            using var reader = command.ExecuteReader();
            var problems = new List<string>();
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }

            if (problems is not ["ok"])
            {
                throw new StoreException(StoreFailure.Corrupt, $"{path} is damaged ({string.Join("; ", problems)}); restore it from a backup, or save what is readable with sqlite3 {path} .recover");
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == raw.SQLITE_INTERRUPT)
        {
            // Too large to check within the budget: the part checked was sound; go on.
            return;
        }
        finally
        {
            raw.sqlite3_progress_handler(handle, 0, null, null);
        }
    }
}
