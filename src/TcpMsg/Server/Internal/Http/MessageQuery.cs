using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using TcpMsg.Storage;

namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// The query of <c>/api/messages</c> and <c>/api/stream</c>:
/// <c>after_id=N</c> (from an id, oldest first), <c>limit=N</c>, <c>contains=TEXT</c>,
/// <c>peer=ADDRESS[:PORT]</c>, <c>since=TIME</c> (ISO 8601, or seconds since 1970).
/// </summary>
internal static class MessageQuery
{
    public const int DefaultLimit = 100;

    public static bool TryParse(IQueryCollection query, int maxLimit, out HistoryQuery result, out bool fromId, out string? error)
    {
        result = HistoryQuery.Default with { Limit = Math.Min(DefaultLimit, maxLimit) };
        fromId = false;
        error = null;
        if (query["after_id"].ToString() is { Length: > 0 } after)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                error = "after_id must be a message id (0 or more)";
                return false;
            }

            result = result with { AfterId = id };
            fromId = true;
        }

        if (query["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > maxLimit)
            {
                error = $"limit must be between 1 and {maxLimit}";
                return false;
            }

            result = result with { Limit = limit };
        }

        if (query["contains"].ToString() is { Length: > 0 } contains)
        {
            result = result with { Contains = contains };
        }

        if (query["peer"].ToString() is { Length: > 0 } peer)
        {
            if (!TryParsePeer(peer, out var address, out var port))
            {
                error = "peer must be an address (127.0.0.1, ::1) or ADDRESS:PORT ([::1]:5000)";
                return false;
            }

            result = result with { FromAddress = address, FromPort = port };
        }

        if (query["since"].ToString() is { Length: > 0 } since)
        {
            if (!TryParseTime(since, out var time))
            {
                error = "since must be a time (2026-01-31T12:00:00Z) or seconds since 1970";
                return false;
            }

            result = result with { Since = time };
        }

        return true;
    }

    private static bool TryParsePeer(string text, out string? address, out int? port)
    {
        address = null;
        port = null;
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            address = bare.ToString();
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endPoint))
        {
            address = endPoint.Address.ToString();
            port = endPoint.Port;
            return true;
        }

        return false;
    }

    private static bool TryParseTime(string text, out DateTimeOffset time)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 100_000_000_000)
        {
            time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
