using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// Every message committed to a PostgreSQL store, by any server, in id order: LISTENs on the channel
/// the writers NOTIFY in each transaction (delivered at its commit) and, on each notification (and on a slow poll as a safety net,
/// and after a reconnect), reads the rows after the last one it gave, in pages. NOTIFY only wakes it up;
/// the rows are read by id, and since ids become visible in id order (PostgresMessageWriter), reading
/// <c>id &gt; last</c> skips nothing. A lost connection is opened again with backoff, logged once when
/// it goes and once when it is back; nothing is skipped across it.
/// </summary>
/// <remarks>One reader: <see cref="ReadAsync"/> is enumerated by one caller at a time.</remarks>
internal sealed partial class PostgresFeed : IDisposable
{
    /// <summary>Rows per read.</summary>
    public const int PageSize = 1000;

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(5);

    private readonly string _store;
    private readonly string? _passwordFile;
    private readonly TimeSpan _poll;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private PostgresHistory? _history;
    private NpgsqlConnection? _listening;
    private long _notifications;

    /// <param name="store">The PostgreSQL location, as <see cref="StoreOptions.Path"/> takes it.</param>
    /// <param name="passwordFile">As <see cref="StoreOptions.PasswordFile"/>.</param>
    /// <param name="pollInterval">How often it reads without a notification (a lost NOTIFY costs at most this); default 1 s.</param>
    /// <param name="time">For the waits between reconnects.</param>
    /// <param name="logger">Where the lost and back lines go.</param>
    public PostgresFeed(string store, string? passwordFile = null, TimeSpan? pollInterval = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _store = store;
        _passwordFile = passwordFile;
        _poll = pollInterval ?? TimeSpan.FromSeconds(1);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Wake-ups received so far (for tests and metrics).</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    /// <summary>
    /// The messages after <paramref name="afterId"/> that match <paramref name="filter"/> (its
    /// <see cref="HistoryQuery.AfterId"/> and <see cref="HistoryQuery.Limit"/> do not apply), oldest
    /// first, then each one as it is committed, until <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="StoreException">The first connection fails (no store there, or not reachable); later failures are retried.</exception>
    public async IAsyncEnumerable<StoredMessage> ReadAsync(long afterId, HistoryQuery? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in ReadPagesAsync(afterId, filter, cancellationToken).ConfigureAwait(false))
        {
            foreach (var message in page)
            {
                yield return message;
            }
        }
    }

    /// <summary>
    /// The same as pages of at most <see cref="PageSize"/> messages, each never empty, as they are read
    /// (a reader that writes or flushes per page: the live stream, the chat relay).
    /// </summary>
    /// <exception cref="StoreException">The first connection fails (no store there, or not reachable); later failures are retried.</exception>
    public async IAsyncEnumerable<IReadOnlyList<StoredMessage>> ReadPagesAsync(long afterId, HistoryQuery? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = (filter ?? HistoryQuery.Default) with { Limit = PageSize };
        var last = afterId;
        var retry = s_firstRetry;
        string? lost = null;
        Connect();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<StoredMessage>? page = null;
            long seen = 0;
            try
            {
                Listen();
                seen = Notifications;
                page = await _history!.QueryAsync(query with { AfterId = last }, forward: true, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException ex)
            {
                Drop();
                if (lost is null)
                {
                    lost = ex.Message;
                    LogLost(ex.Message);
                }

                await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(false);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, s_maxRetry.Ticks));
                continue;
            }

            if (lost is not null)
            {
                lost = null;
                retry = s_firstRetry;
                LogBack(_history!.Location.Display);
            }

            if (page.Count > 0)
            {
                last = page[^1].Id;
                yield return page;
            }

            // A full page: more to read now. A wake-up during the read: the commit it tells of may
            // be after the read's snapshot.
            if (page.Count == PageSize || Notifications != seen)
            {
                continue;
            }

            try
            {
                await _listening!.WaitAsync(_poll, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && PostgresErrors.IsStoreError(ex))
            {
                // The next read reconnects (and says so, if that fails too).
                Drop();
            }
        }
    }

    public void Dispose()
    {
        _history?.Dispose();
        _history = null;
        _listening = null;
    }

    private void Connect()
    {
        _history ??= PostgresHistory.Open(_store, _passwordFile, "tcpmsg feed");
    }

    /// <summary>The connection, LISTENing: again after a reconnect (a LISTEN belongs to its session).</summary>
    private void Listen()
    {
        try
        {
            Connect();
            var connection = _history!.Connection;
            if (!ReferenceEquals(connection, _listening))
            {
                connection.Notification += (_, _) => Interlocked.Increment(ref _notifications);
                using var command = new NpgsqlCommand($"LISTEN {PostgresSchema.Channel}", connection);
                command.ExecuteNonQuery();
                _listening = connection;
            }
        }
        catch (Exception ex) when (ex is not StoreException && PostgresErrors.IsStoreError(ex))
        {
            throw PostgresErrors.Translate(ex, _history?.Location.Display ?? "PostgreSQL", "cannot follow");
        }
    }

    private void Drop()
    {
        _history?.Reset();
        _listening = null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "following the store: {Reason}; reconnecting with backoff")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "following {Store} again")]
    private partial void LogBack(string store);
}
