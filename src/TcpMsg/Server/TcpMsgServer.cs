using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TcpMsg.Server.Internal;
using TcpMsg.Server.Internal.Chat;
using TcpMsg.Storage;

namespace TcpMsg.Server;

/// <summary>
/// A tcpmsg server in its own host: the simplest way to run one. To put tcpmsg into an existing
/// host instead, use <see cref="TcpMsgHostingExtensions.AddTcpMsgServer"/> and
/// <see cref="TcpMsgHostingExtensions.ListenTcpMsg"/>.
/// </summary>
public sealed class TcpMsgServer : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly List<ListenOptions> _listeners;
    private readonly HashSet<ListenOptions> _tlsListeners;
    private int _stopped;
    private List<ListenOptions> _httpListeners = [];

    private TcpMsgServer(IHost host, List<ListenOptions> listeners, HashSet<ListenOptions> tlsListeners, ServerStatistics statistics)
    {
        _host = host;
        _listeners = listeners;
        _tlsListeners = tlsListeners;
        Statistics = statistics;
    }

    /// <summary>Running totals: connections, messages, bytes, errors.</summary>
    public ServerStatistics Statistics { get; }

    /// <summary>The addresses and ports the server listens on, with the ports the system chose for port 0.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints =>
        [.. _listeners.Select(l => l.EndPoint).OfType<IPEndPoint>()];

    /// <summary>The subset of <see cref="LocalEndPoints"/> where clients must speak TLS.</summary>
    public IReadOnlyList<IPEndPoint> TlsEndPoints =>
        [.. _listeners.Where(_tlsListeners.Contains).Select(l => l.EndPoint).OfType<IPEndPoint>()];

    /// <summary>Where the HTTP endpoint listens (<see cref="TcpMsgServerOptions.Http"/>), with the port the system chose for port 0; empty without one.</summary>
    public IReadOnlyList<IPEndPoint> HttpEndPoints =>
        [.. _httpListeners.Select(l => l.EndPoint).OfType<IPEndPoint>()];

    /// <summary>The services of the server's host, for advanced use.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Starts a server that delivers its events to <paramref name="sinks"/>.</summary>
    /// <exception cref="TcpMsgException">An endpoint could not be bound (<see cref="TcpMsgErrorCode.AddressInUse"/> and the other listen codes; <see cref="TcpMsgException.Subject"/> is the endpoint), the store could not be opened (the store codes), or a certificate or access file could not be read.</exception>
    public static Task<TcpMsgServer> StartAsync(
        TcpMsgServerOptions options,
        IEnumerable<IServerEventSink>? sinks = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default) =>
        StartAsync(options, sinks, loggerFactory, time: null, cancellationToken);

    /// <summary>As the public overload, with every deadline and rate of the server on <paramref name="time"/> (tests use a fake clock).</summary>
    internal static async Task<TcpMsgServer> StartAsync(
        TcpMsgServerOptions options,
        IEnumerable<IServerEventSink>? sinks,
        ILoggerFactory? loggerFactory,
        TimeProvider? time,
        CancellationToken cancellationToken)
    {
        var listeners = new List<ListenOptions>();
        var tlsListeners = new HashSet<ListenOptions>();
        var httpListeners = new List<ListenOptions>();
        var endpoints = options.Endpoints.Count > 0
            ? options.Endpoints
            : [ListenEndpoint.Any(TcpMsgServerOptions.DefaultPort)];

        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
                services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
                if (time is not null)
                {
                    services.AddSingleton(time);
                }

                services.AddTcpMsgServer(options);
                if (options.Http is { } http)
                {
                    services.AddTcpMsgHttp(http);
                }
                foreach (var sink in sinks ?? [])
                {
                    services.AddTcpMsgEventSink(sink);
                }
            })
            .ConfigureWebHost(web => web
                .UseKestrelCore()
                .ConfigureKestrel(kestrel =>
                {
                    kestrel.AddServerHeader = false;
                    foreach (var endpoint in endpoints)
                    {
                        kestrel.ListenTcpMsg(endpoint, listen =>
                        {
                            listeners.Add(listen);
                            if (endpoint.Tls)
                            {
                                tlsListeners.Add(listen);
                            }
                        });
                    }

                    if (options.Http is { } http)
                    {
                        kestrel.ListenTcpMsgHttp(http.Endpoint, httpListeners.Add);
                    }
                })
                .Configure(app =>
                {
                    if (options.Http is not null)
                    {
                        app.UseTcpMsgHttp();
                    }
                }))
            .Build();

        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Stop what did start (the dispatcher, the sweeper) before letting go of the host.
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await DisposeHostAsync(host).ConfigureAwait(false);
            if (FindInner<StoreException>(ex) is { } storeFailure)
            {
                throw storeFailure;
            }

            if (TryExplainBindFailure(ex, options.Http is { } failedHttp ? [.. endpoints, failedHttp.Endpoint] : endpoints, out var listenException))
            {
                throw listenException;
            }

            throw;
        }

        return new TcpMsgServer(host, listeners, tlsListeners, host.Services.GetRequiredService<ServerStatistics>()) { _httpListeners = httpListeners };
    }

    /// <summary>
    /// Posts <paramref name="text"/> to the chat room as the server (<see cref="ChatOptions.ServerName"/>):
    /// it is stored, shown and delivered to every member like any message. Completes with the
    /// store's id (0 without a store) once it is stored.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server runs no chat room.</exception>
    /// <exception cref="TcpMsgException">The text is longer than the maximum message size (<see cref="TcpMsgErrorCode.MessageTooLarge"/>), or the store could not commit it.</exception>
    public Task<long> PostAsync(string text, CancellationToken cancellationToken = default)
    {
        var poster = _host.Services.GetService<ChatPoster>()
            ?? throw new InvalidOperationException($"the server runs no chat room ({nameof(TcpMsgServerOptions)}.{nameof(TcpMsgServerOptions.Chat)} is null)");
        return poster.PostAsync(text, cancellationToken);
    }

    /// <summary>
    /// Stops the server: stops accepting, lets open connections finish for up to the shutdown
    /// timeout, aborts the rest, then dispatches every message that was fully received.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await DisposeHostAsync(_host).ConfigureAwait(false);
    }

    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }

    private static bool TryExplainBindFailure(Exception ex, IReadOnlyList<ListenEndpoint> endpoints, out TcpMsgException listenException)
    {
        var endpoint = endpoints.Count == 1 ? endpoints[0].ToString() : string.Join(", ", endpoints);
        var socketError = FindInner<SocketException>(ex)?.SocketErrorCode;
        var failure = FindInner<AddressInUseException>(ex) is not null || socketError == SocketError.AddressAlreadyInUse
            ? TcpMsgErrorCode.AddressInUse
            : socketError == SocketError.AccessDenied
                ? TcpMsgErrorCode.PermissionDenied
                : socketError == SocketError.AddressNotAvailable
                    ? TcpMsgErrorCode.AddressNotAvailable
                    : (TcpMsgErrorCode?)null;
        if (failure is null && ex is not IOException)
        {
            listenException = null!;
            return false;
        }

        var detail = ex.Message;
        var bad = endpoints.FirstOrDefault(e => detail.Contains($":{e.Port}", StringComparison.Ordinal))?.ToString() ?? endpoint;
        var text = failure switch
        {
            TcpMsgErrorCode.AddressInUse => $"cannot listen on {bad}: the address is already in use (another server is running there?)",
            TcpMsgErrorCode.PermissionDenied => $"cannot listen on {bad}: permission denied (ports below 1024 need privileges; choose a port of 1024 or above)",
            TcpMsgErrorCode.AddressNotAvailable => $"cannot listen on {bad}: the address does not belong to this machine",
            _ => $"cannot listen on {bad}: {FindInner<SocketException>(ex)?.Message ?? detail}",
        };
        listenException = new TcpMsgException(failure ?? TcpMsgErrorCode.ListenFailed, text, ex) { Subject = bad };
        return true;
    }

    private static T? FindInner<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }

            if (ex is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindInner<T>).FirstOrDefault(e => e is not null);
            }
        }

        return null;
    }
}
