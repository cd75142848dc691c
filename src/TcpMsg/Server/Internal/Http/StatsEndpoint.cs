using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// <c>GET /api/stats</c>: what the live page shows beside the messages: totals, messages per second
/// (<c>seconds=N</c>, at most 599), the open connections and, with a chat room, its members.
/// </summary>
internal sealed class StatsEndpoint
{
    // The page lists this many connections; the count is always exact.
    private const int MaxListed = 200;

    private readonly ServerStatistics _statistics;
    private readonly ConnectionTracker _tracker;
    private readonly LiveFeed _feed;
    private readonly ChatRoom? _chat;
    private readonly bool _hasStore;

    public StatsEndpoint(IServiceProvider services, TcpMsgServerOptions options)
    {
        _statistics = services.GetRequiredService<ServerStatistics>();
        _tracker = services.GetRequiredService<ConnectionTracker>();
        _feed = services.GetRequiredService<LiveFeed>();
        _chat = services.GetService<ChatRoom>();
        _hasStore = options.Store is not null;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var seconds = int.TryParse(context.Request.Query["seconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var asked) ? asked : 300;
        var rate = _feed.Rate.Last(seconds, out var endsAt);
        var connections = _tracker.Connections.Take(MaxListed).OrderBy(c => c.Info.ConnectedAt).ToList();
        return JsonResponse.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("connections_open", _statistics.ActiveConnections);
            json.WriteNumber("connections_accepted", _statistics.ConnectionsAccepted);
            json.WriteNumber("messages_received", _statistics.MessagesReceived);
            json.WriteNumber("bytes_received", _statistics.BytesReceived);
            json.WriteString("store", !_hasStore ? "none" : _statistics.StoreFailing ? "failing" : "writable");
            json.WriteNumber("rate_ends_at", endsAt);
            json.WriteStartArray("rate");
            foreach (var count in rate)
            {
                json.WriteNumberValue(count);
            }

            json.WriteEndArray();
            json.WriteStartArray("connections");
            foreach (var connection in connections)
            {
                json.WriteStartObject();
                json.WriteString("peer", connection.Info.EndPoint);
                json.WriteString("connected_at", connection.Info.ConnectedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteNumber("bytes", connection.BytesReceived);
                json.WriteNumber("messages", connection.MessagesReceived);
                if (connection.Info.TlsProtocol is { } tls)
                {
                    json.WriteString("tls", tls);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (_chat is not null)
            {
                json.WriteStartObject("chat");
                json.WriteStartArray("members");
                foreach (var name in _chat.Who())
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        });
    }
}
