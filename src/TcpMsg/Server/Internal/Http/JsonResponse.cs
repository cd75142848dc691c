using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TcpMsg.Server.Internal.Http;

/// <summary>Writes a small JSON answer in one go, with the status and headers every answer gets.</summary>
internal static class JsonResponse
{
    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, MessageJson.Options))
        {
            write(json);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    public static Task ErrorAsync(HttpContext context, int status, string error) =>
        WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteEndObject();
        });
}
