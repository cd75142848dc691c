using System.Net.Sockets;
using System.Security.Authentication;

namespace TcpMsg.Client.Internal;

/// <summary>Sorts failures of the client's stream (socket errors wrapped in IOException, TLS alerts) into the failures a user can act on.</summary>
internal static class TransportErrors
{
    public static TcpMsgConnectionException Sending(Exception ex, HostPort server) => ex switch
    {
        SocketException socket => SocketErrorMapper.Sending(socket, server),
        IOException { InnerException: SocketException socket } => SocketErrorMapper.Sending(socket, server),
        AuthenticationException or IOException { InnerException: AuthenticationException } => Tls(ex, server, null),
        _ => new TcpMsgConnectionException(ConnectionFailure.Other, $"connection to {server} failed: {ex.Message}", ex),
    };

    public static TcpMsgConnectionException Tls(Exception ex, HostPort server, string? problem)
    {
        if (problem is not null)
        {
            return new TcpMsgConnectionException(ConnectionFailure.Tls, $"TLS with {server} failed: {problem}", ex);
        }

        if (ex is IOException { InnerException: SocketException socket })
        {
            return SocketErrorMapper.Sending(socket, server);
        }

        // OpenSSL's words are in the innermost exception: "tlsv13 alert certificate required", "wrong version number".
        var detail = ex.GetBaseException().Message.Trim().TrimEnd('.');
        var hint = detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase) || detail.Contains("unknown ca", StringComparison.OrdinalIgnoreCase) || detail.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
            ? " (the server wants a client certificate it trusts: --tls-cert/--tls-key)"
            : detail.Contains("wrong version number", StringComparison.OrdinalIgnoreCase) || detail.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase) || detail.Contains("frame size", StringComparison.OrdinalIgnoreCase)
                ? " (is it a TLS endpoint?)"
                : string.Empty;
        return new TcpMsgConnectionException(ConnectionFailure.Tls, $"TLS with {server} failed: {detail}{hint}", ex);
    }
}
