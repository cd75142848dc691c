using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using TcpMsg.Server.Http;
using TcpMsg.Server.Internal;
using TcpMsg.Server.Internal.Http;

namespace TcpMsg.Server;

// The HTTP endpoint: /metrics, /healthz, /readyz, /api, the stream and the live page.
public static partial class TcpMsgHostingExtensions
{
    /// <summary>
    /// Adds the endpoint's services and OpenTelemetry's Prometheus exporter over this server's meter
    /// (<c>TcpMsg.Server</c>; the meters of other servers in the same process are left out).
    /// </summary>
    /// <exception cref="ArgumentException">The options are not valid (<see cref="TcpMsgHttpOptions.Validate"/>).</exception>
    public static IServiceCollection AddTcpMsgHttp(this IServiceCollection services, TcpMsgHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.TryAddSingleton(options);
        services.TryAddSingleton<LiveFeed>();
        services.AddSingleton<IServerEventSink>(provider => provider.GetRequiredService<LiveFeed>());
        services.TryAddSingleton<TokenCheck>();
        services.TryAddSingleton<HttpGate>();
        services.TryAddSingleton<StaticAssets>();
        services.TryAddSingleton<HealthEndpoints>();
        services.TryAddSingleton<MessagesEndpoint>();
        services.TryAddSingleton<StreamEndpoint>();
        services.TryAddSingleton<StatsEndpoint>();
        services.TryAddSingleton<HttpRouter>();
        services.ConfigureOpenTelemetryMeterProvider((provider, builder) =>
        {
            // Meters are found by name process-wide; only this container's is this server's.
            var own = provider.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServerMetrics.MeterName)
            .AddPrometheusExporter(prometheus =>
            {
                // Every scrape sees the counters as they are now.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                prometheus.TargetInfoEnabled = false;
                prometheus.ScopeInfoEnabled = false;
            }));
        return services;
    }

    /// <summary>
    /// Serves the endpoint on this application: the security headers and the token first, then
    /// <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>, <c>/api/messages</c>, <c>/api/stream</c>,
    /// <c>/api/stats</c> and the live page at <c>/</c>. Requires <see cref="AddTcpMsgHttp"/>.
    /// </summary>
    public static IApplicationBuilder UseTcpMsgHttp(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var gate = services.GetRequiredService<HttpGate>();
        var router = services.GetRequiredService<HttpRouter>();
        app.Use(gate.InvokeAsync);
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == "/metrics");
        app.Run(router.InvokeAsync);
        return app;
    }

    /// <summary>Listens for HTTP/1.1 on <paramref name="endpoint"/>; <paramref name="bound"/>, if given, gets the Kestrel endpoint.</summary>
    public static void ListenTcpMsgHttp(this KestrelServerOptions kestrel, ListenEndpoint endpoint, Action<ListenOptions>? bound = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            bound?.Invoke(listen);
        }

        KestrelListen.Endpoint(kestrel, endpoint, Configure);
    }
}
