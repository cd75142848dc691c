using Microsoft.Data.Sqlite;

namespace TcpMsg.Storage.Internal;

/// <summary>
/// Work beside the store's writer on a connection of its own (<see cref="SearchIndexer"/>,
/// <see cref="StoreRetention"/>): every interval one round of small transactions, so that the writer
/// never waits for it for longer than one of them. A round that fails (busy, a full disk) is said
/// once and tried again on a fresh connection; the writer reports what is wrong with the store.
/// </summary>
internal abstract class StoreSideTask : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task _loop = Task.CompletedTask;
    private SqliteConnection? _connection;

    protected StoreSideTask(string connectionString, TimeSpan busyTimeout, TimeSpan interval, TimeProvider time)
    {
        _connectionString = connectionString;
        _busyTimeout = busyTimeout;
        _interval = interval;
        _time = time;
    }

    /// <summary>One round now, on the task's connection; returns how many messages it handled.</summary>
    public long RunOnce()
    {
        lock (_gate)
        {
            return Round(_connection ??= Open());
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop logs its own failures; it ends on the cancellation.
        }

        _connection?.Dispose();
        _stop.Dispose();
    }

    /// <summary>Starts the rounds; called by the derived class once it is constructed.</summary>
    protected void Start() => _loop = Task.Run(RunAsync);

    /// <summary>One round of the task's work on <paramref name="connection"/>, in transactions of its own.</summary>
    protected abstract long Round(SqliteConnection connection);

    /// <summary>Says that a round failed (it is tried again at the next interval).</summary>
    protected abstract void OnRoundFailed(string reason);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _time, _stop.Token).ConfigureAwait(false);
                RunOnce();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SqliteException or StoreException or IOException)
            {
                // Busy, a full disk, ...: the writer reports what is wrong with the store; try again afresh.
                OnRoundFailed(ex.Message);
                lock (_gate)
                {
                    _connection?.Dispose();
                    _connection = null;
                }
            }
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {(int)_busyTimeout.TotalMilliseconds}; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WalCheckpointer.LogLimitBytes}";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
