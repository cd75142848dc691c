using System.Net.Sockets;
using System.Security.Authentication;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Client.Internal;

/// <summary>Sorts failures of the client's stream (socket errors wrapped in IOException, TLS alerts) into the failures a user can act on.</summary>
internal static class TransportErrors
{
    public static TcpMsgException Sending(Exception ex, HostPort server) => ex switch
    {
        SocketException socket => SocketErrorMapper.Sending(socket, server),
        IOException { InnerException: SocketException socket } => SocketErrorMapper.Sending(socket, server),
        AuthenticationException or IOException { InnerException: AuthenticationException } => Tls(ex, server, null),
        _ => new TcpMsgException(TcpMsgErrorCode.ConnectionFailed, $"connection to {server} failed: {ex.Message}", ex),
    };

    /// <summary>A failed TLS handshake; <paramref name="option"/> is the <see cref="TlsClientOptions"/> property that would change the outcome.</summary>
    public static TcpMsgException Tls(Exception ex, HostPort server, string? problem, string? option = null)
    {
        if (problem is not null)
        {
            return new TcpMsgException(TcpMsgErrorCode.TlsHandshakeFailed, $"TLS with {server} failed: {problem}", ex) { Subject = option };
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
            return new TcpMsgException(
                TcpMsgErrorCode.AccessDenied,
                $"{server} refused this client before the TLS handshake: its access rules do not let this address in, or it is at a connection limit (its log says which)",
                ex);
        }

        var wantsCertificate = detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase) || detail.Contains("unknown ca", StringComparison.OrdinalIgnoreCase) || detail.Contains("bad certificate", StringComparison.OrdinalIgnoreCase);
        var hint = wantsCertificate
            ? " (the server wants a client certificate it trusts)"
            : detail.Contains("wrong version number", StringComparison.OrdinalIgnoreCase) || detail.Contains("frame size", StringComparison.OrdinalIgnoreCase)
                ? " (is it a TLS endpoint?)"
                : detail.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase)
                    ? " (the server closed the connection during the handshake: is it a TLS endpoint?)"
                    : string.Empty;
        return new TcpMsgException(TcpMsgErrorCode.TlsHandshakeFailed, $"TLS with {server} failed: {detail}{hint}", ex) { Subject = wantsCertificate ? nameof(TlsClientOptions.ClientCertificate) : null };
    }

    /// <summary>The failure a server's notice names: it refused this client, and said why (<see cref="ServerNotice"/>).</summary>
    public static TcpMsgException Refused(in ServerNotice notice, HostPort server) => notice.Reason switch
    {
        ServerNotice.AccessDenied => new TcpMsgException(TcpMsgErrorCode.AccessDenied, $"{server} refused this client: {notice.Words}"),
        ServerNotice.ConnectionLimit or ServerNotice.AddressLimit => new TcpMsgException(TcpMsgErrorCode.ServerBusy, $"{server} refused the connection: {notice.Words}"),
        _ => new TcpMsgException(TcpMsgErrorCode.RejectedByServer, $"{server} refused the connection: {notice.Words}"),
    };
}
