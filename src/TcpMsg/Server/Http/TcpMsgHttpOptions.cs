using System.Net;

namespace TcpMsg.Server.Http;

/// <summary>
/// The HTTP endpoint beside the TCP listener: <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>,
/// <c>/api/messages</c>, <c>/api/stream</c> and the live page at <c>/</c>. Immutable; start from
/// <see cref="Default"/> and use <c>with</c>.
/// </summary>
public sealed record TcpMsgHttpOptions
{
    /// <summary>The name of the cookie a <c>?token=</c> login link sets.</summary>
    public const string TokenCookie = "tcpmsg_token";

    /// <summary>127.0.0.1 on port 8023, no token.</summary>
    public static TcpMsgHttpOptions Default { get; } = new();

    /// <summary>Where the HTTP endpoint listens. Off loopback it needs a <see cref="Token"/>.</summary>
    public ListenEndpoint Endpoint { get; init; } = ListenEndpoint.ForAddress(IPAddress.Loopback, 8023);

    /// <summary>
    /// The bearer token every request but the health checks must present (an <c>Authorization: Bearer</c>
    /// header, or the cookie a <c>/?token=</c> link sets); null: none, allowed on a loopback address only.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>The most messages one <c>/api/messages</c> answer holds.</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>True when <see cref="Endpoint"/> can only be reached from this machine.</summary>
    public bool IsLoopback => Endpoint.Kind switch
    {
        ListenEndpointKind.Localhost => true,
        ListenEndpointKind.Address => IPAddress.IsLoopback(Endpoint.Address!),
        _ => false,
    };

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public void Validate()
    {
        if (Token is { } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("the HTTP token must be at least 16 characters, without spaces", nameof(Token));
        }

        if (Token is null && !IsLoopback)
        {
            throw new ArgumentException(
                $"the HTTP endpoint {Endpoint} is reachable from other machines and would show every message to anyone: give it a token ({nameof(Token)}), or listen on 127.0.0.1 or [::1]",
                nameof(Token));
        }

        if (Endpoint.Tls)
        {
            throw new ArgumentException("the HTTP endpoint does not speak TLS; put a reverse proxy in front of it", nameof(Endpoint));
        }

        if (MaxPageSize is < 1 or > 100_000)
        {
            throw new ArgumentException($"{nameof(MaxPageSize)} must be between 1 and 100000", nameof(MaxPageSize));
        }
    }
}
