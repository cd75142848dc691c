using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using TcpMsg.Server.Http;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// The bearer token, compared in constant time: the hashes of both sides are compared, so neither
/// the token's length nor how much of it matched shows in the time an answer takes.
/// </summary>
internal sealed class TokenCheck
{
    private readonly byte[]? _hash;

    public TokenCheck(TcpMsgHttpOptions options) =>
        _hash = options.Token is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;

    public bool Required => _hash is not null;

    public bool Matches(string? presented) =>
        _hash is null || (presented is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented))));

    /// <summary>True when the request carries the token, as a bearer header or as the login cookie.</summary>
    public bool Allows(HttpRequest request)
    {
        if (_hash is null)
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(authorization[7..].Trim()))
        {
            return true;
        }

        return request.Cookies.TryGetValue(TcpMsgHttpOptions.TokenCookie, out var cookie) && Matches(cookie);
    }
}
