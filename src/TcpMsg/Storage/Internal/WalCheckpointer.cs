using Microsoft.Data.Sqlite;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// Copies the write-ahead log back into the database file on a connection and a thread of its own,
/// so that the writer does not stop for a checkpoint and its fsync between two batches (which is
/// what SQLite's automatic checkpoint does, on the committing connection). Passive checkpoints: they
/// never wait for the writer or for readers, and never make them wait. When a checkpoint has copied
/// everything, the writer's next transaction starts the log again from its beginning, so the log
/// stays small. The writer keeps SQLite's own checkpoint as a bound (<see cref="WriterBoundPages"/>)
/// for when this one cannot keep up.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>
    /// The writer's <c>wal_autocheckpoint</c>: 4 MiB of 4 KiB pages. Under a steady load this one keeps
    /// the log far below; at full ingest the log never stands still long enough for this one's
    /// checkpoint to be complete when the writer begins, so the log only starts again after the
    /// writer's own checkpoint (most of it already copied by then). The bound is what the log costs
    /// on disk on top of the data: the log file keeps its largest size, and on a disk that fills up
    /// a large log holds the room the database needs to take the log's pages, so that neither can
    /// grow again once space returns (the store stayed "full" with 16 MiB here).
    /// </summary>
    public const int WriterBoundPages = 1024;

    /// <summary>The writer's <c>journal_size_limit</c>: a log that one large transaction made longer is cut back to this when it starts again.</summary>
    public const long LogLimitBytes = WriterBoundPages * 4096L;

    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(200);

    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Lock _lastLock = new();
    private long _checkpoints;
    private bool _holdOff;
    private long _failures;
    private (long Log, long Copied) _last;

    public WalCheckpointer(string connectionString, string synchronous)
    {
        _connectionString = connectionString;
        _synchronous = synchronous;
        _thread = new Thread(Run) { IsBackground = true, Name = "tcpmsg WAL checkpoint" };
        _thread.Start();
    }

    /// <summary>Set by the writer while it waits to run its own checkpoint (the log is at its bound): no new run starts, so that the writer's gets the lock.</summary>
    public bool HoldOff
    {
        get => Volatile.Read(ref _holdOff);
        set => Volatile.Write(ref _holdOff, value);
    }

    /// <summary>Checkpoints run so far.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Checkpoints that failed (the next one tries again on a fresh connection).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The last checkpoint's log size and the pages of it copied into the database, in pages.</summary>
    public (long Log, long Copied) Last
    {
        get
        {
            lock (_lastLock)
            {
                return _last;
            }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (!_stop.Wait(s_interval))
            {
                if (HoldOff)
                {
                    continue;
                }

                try
                {
                    connection ??= Open();
                    Checkpoint(connection);
                }
                catch (SqliteException)
                {
                    // The writer reports what is wrong with the store; here, try again afresh.
                    Interlocked.Increment(ref _failures);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();

            // A checkpoint syncs the database file as the writer's durability says before the log is reused.
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous = {_synchronous}; PRAGMA wal_autocheckpoint = 0";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        if (reader.Read())
        {
            lock (_lastLock)
            {
                _last = (reader.GetInt64(1), reader.GetInt64(2));
            }
        }

        Interlocked.Increment(ref _checkpoints);
    }
}
