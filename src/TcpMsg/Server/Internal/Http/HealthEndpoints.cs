using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// <c>GET /healthz</c>: the process serves. <c>GET /readyz</c>: tcpmsg listens and its store commits;
/// 503 with the reason otherwise (starting, stopping, or the store failing).
/// </summary>
internal sealed class HealthEndpoints
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ServerStatistics _statistics;
    private readonly bool _hasStore;

    public HealthEndpoints(IHostApplicationLifetime lifetime, ServerStatistics statistics, TcpMsgServerOptions options)
    {
        _lifetime = lifetime;
        _statistics = statistics;
        _hasStore = options.Store is not null;
    }

    public static Task HealthAsync(HttpContext context) =>
        JsonResponse.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", "ok");
            json.WriteEndObject();
        });

    public Task ReadyAsync(HttpContext context)
    {
        var reason = _lifetime.ApplicationStopping.IsCancellationRequested ? "the server is stopping"
            : !_lifetime.ApplicationStarted.IsCancellationRequested ? "the server is starting"
            : _hasStore && _statistics.StoreFailing ? "the store is failing: commits are retried, confirmed senders are told to retry"
            : null;
        return JsonResponse.WriteAsync(context, reason is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", reason is null ? "ready" : "unavailable");
            json.WriteBoolean("listening", _lifetime.ApplicationStarted.IsCancellationRequested && !_lifetime.ApplicationStopping.IsCancellationRequested);
            json.WriteString("store", !_hasStore ? "none" : _statistics.StoreFailing ? "failing" : "writable");
            if (reason is not null)
            {
                json.WriteString("reason", reason);
            }

            json.WriteEndObject();
        });
    }
}
