using System.Net.Sockets;
using System.Security.Authentication;
using TcpMsg.Protocol.Internal;

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
        if (detail.Contains("alert access denied", StringComparison.OrdinalIgnoreCase))
        {
            // tcpmsg's answer to a peer it refuses at accept (docs/protocol.md, "Refused at accept").
            return new TcpMsgConnectionException(
                ConnectionFailure.AccessDenied,
                $"{server} refused this client before the TLS handshake: its access rules do not let this address in, or it is at a connection limit (its log says which)",
                ex);
        }

        var hint = detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase) || detail.Contains("unknown ca", StringComparison.OrdinalIgnoreCase) || detail.Contains("bad certificate", StringComparison.OrdinalIgnoreCase)
            ? " (the server wants a client certificate it trusts: --tls-cert/--tls-key)"
            : detail.Contains("wrong version number", StringComparison.OrdinalIgnoreCase) || detail.Contains("frame size", StringComparison.OrdinalIgnoreCase)
                ? " (is it a TLS endpoint?)"
                : detail.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase)
                    ? " (the server closed the connection during the handshake: is it a TLS endpoint?)"
                    : string.Empty;
        return new TcpMsgConnectionException(ConnectionFailure.Tls, $"TLS with {server} failed: {detail}{hint}", ex);
    }

    /// <summary>The failure a server's notice names: it refused this client, and said why (<see cref="ServerNotice"/>).</summary>
    public static TcpMsgConnectionException Refused(in ServerNotice notice, HostPort server) => notice.Reason switch
    {
        ServerNotice.AccessDenied => new TcpMsgConnectionException(ConnectionFailure.AccessDenied, $"{server} refused this client: {notice.Words}"),
        ServerNotice.ConnectionLimit or ServerNotice.AddressLimit => new TcpMsgConnectionException(ConnectionFailure.ServerBusy, $"{server} refused the connection: {notice.Words}"),
        _ => new TcpMsgConnectionException(ConnectionFailure.RejectedByServer, $"{server} refused the connection: {notice.Words}"),
    };
}
