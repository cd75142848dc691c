using SQLitePCL;

namespace TcpMsg.Storage.Internal;

/// <summary>The writer's bound on the write-ahead log.</summary>
internal sealed partial class MessageWriter
{
    /// <summary>
    /// The writer's bound on the log (<see cref="WalCheckpointer.WriterBoundPages"/>), in place of
    /// SQLite's automatic checkpoint: once that many pages went into the log since it last started
    /// again, a RESTART checkpoint copies what the checkpointer beside us has not yet copied and
    /// makes the next transaction start the log from its beginning. SQLite's own (passive) one
    /// gives up when the checkpointer holds the checkpoint lock, and at full ingest the log then grew
    /// by several transactions past the bound. The commit is done: a checkpoint that cannot run
    /// now (a reader or the checkpointer in the way, no room) is tried again after the next one;
    /// the log stays under a quarter past the bound, plus a transaction.
    /// </summary>
    private void BoundLog()
    {
        raw.sqlite3_db_status(_db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        _logPages += written;
        if (_logPages < WalCheckpointer.WriterBoundPages)
        {
            return;
        }

        // The checkpointer starts no new run until this one has gone through.
        _checkpointer?.HoldOff = true;

        // A short wait first, so that a checkpoint beside us costs the writer little; a quarter past
        // the bound, as long as any lock (the bound is what keeps the log, and the disk, in check).
        var wait = _logPages < WalCheckpointer.WriterBoundPages * 5 / 4 ? (int)s_restartWait.TotalMilliseconds : _busyTimeoutMs;
        raw.sqlite3_busy_timeout(_db, wait);
        try
        {
            if (raw.sqlite3_wal_checkpoint_v2(_db, null, raw.SQLITE_CHECKPOINT_RESTART, out _, out _) == raw.SQLITE_OK)
            {
                _logPages = 0;
                _checkpointer?.HoldOff = false;
            }
        }
        finally
        {
            raw.sqlite3_busy_timeout(_db, _busyTimeoutMs);
        }
    }
}
