using System.Threading.Channels;
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
            newest = history.Read(HistoryQuery.Default with { Limit = 1 }) is [var last] ? last.Id : 0;
        }
        catch (StoreException ex)
        {
            // The store was opened at start; a failure now is a lost connection, and the feed retries.
            LogNoNewest(ex.Message);
            newest = 0;
        }

        relay?.StartShared();
        using var feed = new PostgresFeed(_store.Path, _store.PasswordFile, time: _time, logger: _logger);

        // The feed gives one row at a time; what it has at hand goes on as one page, so the room's
        // lock is taken and its members woken once per read, not once per message.
        var rows = Channel.CreateBounded<StoredMessage>(new BoundedChannelOptions(2 * PostgresFeed.PageSize) { SingleReader = true, SingleWriter = true });
        var reading = ReadAsync(feed, newest, rows.Writer, stoppingToken);
        var page = new List<StoredMessage>(PostgresFeed.PageSize);
        try
        {
            while (await rows.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (page.Count < PostgresFeed.PageSize && rows.Reader.TryRead(out var row))
                {
                    page.Add(row);
                }

                if (relay is not null)
                {
                    await relay.OnStoredAsync(page, stoppingToken).ConfigureAwait(false);
                }

                live?.Commits.Pulse();
                page.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server stops.
        }

        await reading.ConfigureAwait(false);
    }

    /// <summary>The feed into <paramref name="rows"/>; a first connection that fails is tried again (the feed retries later ones itself).</summary>
    private async Task ReadAsync(PostgresFeed feed, long afterId, ChannelWriter<StoredMessage> rows, CancellationToken cancellationToken)
    {
        var retry = TimeSpan.FromMilliseconds(100);
        try
        {
            while (true)
            {
                try
                {
                    await foreach (var row in feed.ReadAsync(afterId, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        afterId = row.Id;
                        await rows.WriteAsync(row, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }
                catch (StoreException ex)
                {
                    LogCannotFollow(ex.Message);
                    await Task.Delay(retry, _time, cancellationToken).ConfigureAwait(false);
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server stops.
        }
        finally
        {
            rows.TryComplete();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "following the shared store: {Reason}; trying again")]
    private partial void LogCannotFollow(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "following the shared store: the newest message could not be read ({Reason}); following from the first")]
    private partial void LogNoNewest(string reason);
}
