using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpMsg.Server.Internal.Chat;
using TcpMsg.Server.Internal.Http;
using TcpMsg.Storage;
using TcpMsg.Storage.Postgres;

namespace TcpMsg.Server.Internal;

/// <summary>
/// On a store shared by several servers (PostgreSQL), what every server committed reaches this
/// server's readers: the chat room gets every server's messages from here, in id order (the same
/// order on every server), and the HTTP event streams are woken by other servers' commits, not only
/// by this one's. It follows the store with <see cref="PostgresFeed"/> from the newest message at
/// start; the messages of one read go on together. Runs only when there is a room or a stream to feed.
/// </summary>
internal sealed partial class SharedStoreFollower : BackgroundService
{
    private readonly StoreOptions _store;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SharedStoreFollower(TcpMsgServerOptions options, IServiceProvider services, TimeProvider time, ILogger<SharedStoreFollower> logger)
    {
        _store = options.Store ?? throw new InvalidOperationException("no store to follow");
        _services = services;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not injected: the HTTP endpoint's services may be added after the server's.
        var relay = _services.GetService<ChatRelay>();
        var live = _services.GetService<LiveFeed>();
        if (relay is null && live is null)
        {
            return;
        }

        await Task.Yield();
        long newest;
        try
        {
            using var history = MessageHistory.Open(_store);
            newest = history.Read(HistoryQuery.Default with { Limit = 1 }) is [var top] ? top.Id : 0;
        }
        catch (StoreException ex)
        {
            // The store was opened at start; a failure now is a lost connection, and the feed retries.
            LogNoNewest(ex.Message);
            newest = 0;
        }

        relay?.StartShared();
        using var feed = new PostgresFeed(_store.Path, _store.PasswordFile, time: _time, logger: _logger);
        var retry = TimeSpan.FromMilliseconds(100);
        var last = newest;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A page is what one read found: the room's lock is taken and its members woken once per read.
                await foreach (var page in feed.ReadPagesAsync(last, cancellationToken: stoppingToken).ConfigureAwait(false))
                {
                    last = page[^1].Id;
                    if (relay is not null)
                    {
                        await relay.OnStoredAsync(page, stoppingToken).ConfigureAwait(false);
                    }

                    live?.Commits.Pulse();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The server stops.
            }
            catch (StoreException ex)
            {
                // Only the feed's first connection throws; it retries later failures itself.
                LogCannotFollow(ex.Message);
                await Task.Delay(retry, _time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "following the shared store: {Reason}; trying again")]
    private partial void LogCannotFollow(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "following the shared store: the newest message could not be read ({Reason}); following from the first")]
    private partial void LogNoNewest(string reason);
}
