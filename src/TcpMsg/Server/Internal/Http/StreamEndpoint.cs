using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// <c>GET /api/stream</c>: Server-Sent Events, one <c>message</c> event per stored message, its id
/// the store's id. It starts after <c>Last-Event-ID</c> (a browser reconnecting), else after
/// <c>after_id</c>, else at the newest message; woken by each commit, it reads rows by id, so a
/// resumed stream has no gap and no duplicate.
/// </summary>
internal sealed class StreamEndpoint
{
    // Larger than a commit usually is; a longer backlog is sent in several pages.
    private const int PageSize = 500;
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);

    private readonly StoreOptions? _store;
    private readonly LiveFeed _feed;
    private readonly IHostApplicationLifetime _lifetime;

    public StreamEndpoint(TcpMsgServerOptions options, LiveFeed feed, IHostApplicationLifetime lifetime)
    {
        _store = options.Store;
        _feed = feed;
        _lifetime = lifetime;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (!MessageQuery.TryParse(context.Request.Query, PageSize, out var query, out var fromId, out var error) ||
            !TryLastEventId(context.Request, out var resume, out error))
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
            return;
        }

        if (_store is null)
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status404NotFound, "the server runs without a store: there is nothing to stream").ConfigureAwait(false);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _lifetime.ApplicationStopping);
        var token = stop.Token;
        MessageHistory history;
        try
        {
            history = MessageHistory.Open(_store);
        }
        catch (StoreException ex)
        {
            await JsonResponse.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message).ConfigureAwait(false);
            return;
        }

        using (history)
        {
            var lastId = resume ?? (fromId ? query.AfterId : Newest(history));
            var response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var buffer = new ArrayBufferWriter<byte>(16 * 1024);
            buffer.Write("retry: 1000\n\n"u8);
            try
            {
                await FlushAsync(response, buffer, token).ConfigureAwait(false);
                while (!token.IsCancellationRequested)
                {
                    // Taken before the read: a commit after the read completes it.
                    var committed = _feed.Commits.Next;
                    var page = history.ReadForward(query with { AfterId = lastId, Limit = PageSize });
                    foreach (var message in page)
                    {
                        Append(buffer, message);
                        lastId = message.Id;
                    }

                    if (page.Count > 0)
                    {
                        await FlushAsync(response, buffer, token).ConfigureAwait(false);
                        if (page.Count == PageSize)
                        {
                            continue;
                        }
                    }

                    try
                    {
                        await committed.WaitAsync(s_keepAlive, token).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // A comment now and then, so proxies and the browser see the stream is alive.
                        buffer.Write(": keep-alive\n\n"u8);
                        await FlushAsync(response, buffer, token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The browser went away, or the server stops: the stream ends here.
            }
            catch (StoreException ex)
            {
                buffer.Clear();
                buffer.Write(Encoding.UTF8.GetBytes($"event: error\ndata: {ex.Message.ReplaceLineEndings(" ")}\n\n"));
                await FlushAsync(response, buffer, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static long Newest(MessageHistory history) =>
        history.Read(HistoryQuery.Default with { Limit = 1 }) is [var newest] ? newest.Id : 0;

    private static bool TryLastEventId(HttpRequest request, out long? id, out string? error)
    {
        id = null;
        error = null;
        var text = request.Headers["Last-Event-ID"].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            error = "Last-Event-ID must be a message id";
            return false;
        }

        id = value;
        return true;
    }

    private static void Append(ArrayBufferWriter<byte> buffer, StoredMessage message)
    {
        buffer.Write("id: "u8);
        buffer.Write(Encoding.ASCII.GetBytes(message.Id.ToString(CultureInfo.InvariantCulture)));
        buffer.Write("\nevent: message\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer, MessageJson.Options))
        {
            MessageJson.Write(json, message);
        }

        buffer.Write("\n\n"u8);
    }

    private static async Task FlushAsync(HttpResponse response, ArrayBufferWriter<byte> buffer, CancellationToken token)
    {
        await response.Body.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
        await response.Body.FlushAsync(token).ConfigureAwait(false);
        buffer.Clear();
    }
}
