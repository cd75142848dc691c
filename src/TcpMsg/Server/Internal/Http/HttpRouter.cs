using Microsoft.AspNetCore.Http;

namespace TcpMsg.Server.Internal.Http;

/// <summary>The HTTP endpoint's paths (<c>/metrics</c> is answered before, by OpenTelemetry's exporter).</summary>
internal sealed class HttpRouter
{
    private readonly StaticAssets _assets;
    private readonly HealthEndpoints _health;
    private readonly MessagesEndpoint _messages;
    private readonly StreamEndpoint _stream;
    private readonly StatsEndpoint _stats;

    public HttpRouter(StaticAssets assets, HealthEndpoints health, MessagesEndpoint messages, StreamEndpoint stream, StatsEndpoint stats)
    {
        _assets = assets;
        _health = health;
        _messages = messages;
        _stream = stream;
        _stats = stats;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        return path switch
        {
            "/healthz" => HealthEndpoints.HealthAsync(context),
            "/readyz" => _health.ReadyAsync(context),
            "/api/messages" => _messages.InvokeAsync(context),
            "/api/stream" => _stream.InvokeAsync(context),
            "/api/stats" => _stats.InvokeAsync(context),
            "/index.html" => StaticAssets.ServeAsync(context, Asset("/")),
            _ when _assets.TryGet(path, out var asset) => StaticAssets.ServeAsync(context, asset),
            _ => JsonResponse.ErrorAsync(context, StatusCodes.Status404NotFound, $"no such page: {path}"),
        };
    }

    private StaticAssets.Asset Asset(string path) => _assets.TryGet(path, out var asset) ? asset : throw new InvalidOperationException(path);
}
