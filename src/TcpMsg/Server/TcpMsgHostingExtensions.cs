using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TcpMsg.Server.Internal;
using TcpMsg.Server.Internal.Chat;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Storage.Internal;

namespace TcpMsg.Server;

/// <summary>
/// Puts tcpmsg in an ASP.NET Core or generic host: the server's services
/// (<see cref="AddTcpMsgServer"/>), its Kestrel endpoints (<see cref="ListenTcpMsg"/>,
/// <see cref="UseTcpMsg"/>) and the optional HTTP endpoint (<see cref="AddTcpMsgHttp"/>,
/// <see cref="ListenTcpMsgHttp"/>, <see cref="UseTcpMsgHttp"/>).
/// </summary>
public static partial class TcpMsgHostingExtensions
{
    /// <summary>
    /// Adds the tcpmsg server's services: the message dispatcher, connection limits and timeouts.
    /// Then give Kestrel endpoints with <see cref="TcpMsgHostingExtensions.ListenTcpMsg"/> or
    /// <see cref="TcpMsgHostingExtensions.UseTcpMsg"/>, and add <see cref="IServerEventSink"/>s to receive messages.
    /// </summary>
    /// <remarks>
    /// This also sets Kestrel's socket transport to run connection code inline (tcpmsg's read loop
    /// never blocks) and to buffer at most a little more than the maximum message size per connection.
    /// </remarks>
    public static IServiceCollection AddTcpMsgServer(this IServiceCollection services, TcpMsgServerOptions? options = null)
    {
        options ??= TcpMsgServerOptions.Default;
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServerStatistics>();
        if (options.Store is { } store)
        {
            services.TryAddSingleton<IMessageStore>(provider =>
            {
                var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("TcpMsg.Storage");
                IMessageStore inner = Storage.Postgres.PostgresLocation.IsPostgres(store.Path)
                    ? new Storage.Postgres.PostgresMessageStore(store)
                    : new SqliteMessageStore(store, provider.GetRequiredService<TimeProvider>(), logger);
                return new TimedMessageStore(inner, provider.GetRequiredService<IMeterFactory>());
            });
        }

        if (options.Chat is not null)
        {
            // Before any sink added later: the relay comes first in each batch, so members get it soonest.
            services.TryAddSingleton<ChatRoom>();
            services.TryAddSingleton<ChatRelay>();
            services.TryAddSingleton<ChatPoster>();
            services.AddSingleton<IServerEventSink>(provider => provider.GetRequiredService<ChatRelay>());
        }

        // After the chat relay, before the sinks added later: counts by framing, once per batch.
        services.TryAddSingleton<MessageCounts>();
        services.AddSingleton<IServerEventSink>(provider => provider.GetRequiredService<MessageCounts>());
        services.TryAddSingleton<MessagePipeline>();
        services.TryAddSingleton<ConnectionTracker>();
        services.TryAddSingleton<MessageConnectionHandler>();
        services.AddMetrics();
        services.TryAddSingleton<ServerMetrics>();
        services.AddHostedService(static s => s.GetRequiredService<ServerMetrics>());
        services.AddHostedService<TcpMsgServerService>();
        if (options.Store is { } shared && Storage.Postgres.PostgresLocation.IsPostgres(shared.Path))
        {
            // Several servers may write this store: the room and the event streams follow all of them.
            services.AddHostedService<SharedStoreFollower>();
        }

        services.AddTcpMsgSecurity(options);

        services.Configure<SocketTransportOptions>(transport =>
        {
            // The read loop frames, decodes and queues without blocking, so running it on the
            // socket's own completion saves a thread-pool hop per read; it also means complete
            // messages are taken from the pipe before a following RST can discard them.
            transport.UnsafePreferInlineScheduling = true;

            // One window per connection; beyond it, the socket is not read. A longer message moves
            // into the server-wide read budget (Transport/BudgetedPipeReader), so that memory is
            // bounded by the budget, not by connections x the largest message.
            transport.MaxReadBufferSize = Internal.Transport.ReadBudget.Window;
        });

        // Kestrel must not abort connections before tcpmsg's own shutdown timeout has run out.
        services.PostConfigure<HostOptions>(host =>
        {
            var needed = options.ShutdownTimeout + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        return services;
    }

    /// <summary>Adds a sink that receives every event of the server.</summary>
    public static IServiceCollection AddTcpMsgEventSink(this IServiceCollection services, IServerEventSink sink) =>
        services.AddSingleton(sink);

    /// <summary>Adds a callback that receives each message after it was stored.</summary>
    public static IServiceCollection AddTcpMsgMessageHandler(
        this IServiceCollection services,
        Func<ReceivedMessage, CancellationToken, ValueTask> onMessage) =>
        services.AddSingleton<IServerEventSink>(new MessageCallbackSink(onMessage));
}
