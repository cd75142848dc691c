using Microsoft.AspNetCore.Http;
using TcpMsg.Server.Http;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// In front of every HTTP answer: the security headers, then the token (when one is set). Health
/// checks pass without it; a <c>/?token=</c> login link sets the cookie and sends the browser on
/// to <c>/</c>, so the token leaves the address bar and the history.
/// </summary>
internal sealed class HttpGate
{
    // Nothing but the page's own files; no inline script or style, no frames, no plugins.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly TokenCheck _token;

    public HttpGate(TokenCheck token) => _token = token;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";

        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            headers.Allow = "GET, HEAD";
            return JsonResponse.ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET and HEAD are served");
        }

        var path = request.Path.Value ?? "/";
        if (path is "/healthz" or "/readyz" || !_token.Required)
        {
            return next(context);
        }

        if (request.Query["token"].ToString() is { Length: > 0 } presented)
        {
            if (!_token.Matches(presented))
            {
                return Unauthorized(context);
            }

            context.Response.Cookies.Append(TcpMsgHttpOptions.TokenCookie, presented, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                Secure = request.IsHttps,
                MaxAge = TimeSpan.FromDays(30),
            });
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            headers.Location = path;
            return Task.CompletedTask;
        }

        return _token.Allows(request) ? next(context) : Unauthorized(context);
    }

    private static Task Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"tcpmsg\"";
        return JsonResponse.ErrorAsync(context, StatusCodes.Status401Unauthorized, "a token is required: send Authorization: Bearer TOKEN, or open /?token=TOKEN once in the browser");
    }
}
