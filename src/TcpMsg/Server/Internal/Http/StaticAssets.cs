using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace TcpMsg.Server.Internal.Http;

/// <summary>The live page's files, embedded in the assembly: nothing is fetched from anywhere else.</summary>
internal sealed class StaticAssets
{
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public StaticAssets()
    {
        Add("/", "index.html", "text/html; charset=utf-8");
        Add("/app.js", "app.js", "text/javascript; charset=utf-8");
        Add("/app.css", "app.css", "text/css; charset=utf-8");
        Add("/favicon.svg", "favicon.svg", "image/svg+xml; charset=utf-8");
    }

    public bool TryGet(string path, out Asset asset) => _assets.TryGetValue(path, out asset!);

    public static async Task ServeAsync(HttpContext context, Asset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private void Add(string path, string name, string contentType)
    {
        using var stream = typeof(StaticAssets).Assembly.GetManifestResourceStream($"TcpMsg.Http.{name}")
            ?? throw new InvalidOperationException($"the live page's {name} is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8))}\"";
        _assets[path] = new Asset(content, contentType, etag);
    }

    public sealed record Asset(byte[] Content, string ContentType, string ETag);
}
