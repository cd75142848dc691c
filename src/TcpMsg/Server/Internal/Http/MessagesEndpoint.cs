using Microsoft.AspNetCore.Http;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// <c>GET /api/messages</c>: the newest messages first, or with <c>after_id</c> the ones after that
/// id, oldest first (the next page when reading forward). Read from the store, as <c>history</c> does.
/// </summary>
internal sealed class MessagesEndpoint
{
    private readonly StoreOptions? _store;
    private readonly int _maxPageSize;

    public MessagesEndpoint(TcpMsgServerOptions options, Server.Http.TcpMsgHttpOptions http)
    {
        _store = options.Store;
        _maxPageSize = http.MaxPageSize;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (!MessageQuery.TryParse(context.Request.Query, _maxPageSize, out var query, out var fromId, out var error))
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
            return;
        }

        if (_store is null)
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status404NotFound, "the server runs without a store: there is no history to read").ConfigureAwait(false);
            return;
        }

        IReadOnlyList<StoredMessage> messages;
        try
        {
            using var history = MessageHistory.Open(_store);
            messages = fromId ? history.ReadForward(query) : [.. history.Read(query).Reverse()];
        }
        catch (StoreException ex)
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message).ConfigureAwait(false);
            return;
        }

        await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("order", fromId ? "oldest_first" : "newest_first");
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                MessageJson.Write(json, message);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
