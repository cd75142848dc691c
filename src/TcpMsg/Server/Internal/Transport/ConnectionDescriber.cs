using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using TcpMsg.Server.Internal.Transport;
using TcpMsg.Server.Internal.Transport.Tls;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Describes a connection from what the layers below the handler put on it: its endpoints (after a
/// PROXY header, the client's), its TLS version and client certificate, the proxy that relayed it.
/// </summary>
internal static class ConnectionDescriber
{
    public static ConnectionInfo Describe(ConnectionContext connection, DateTimeOffset now)
    {
        var tls = connection.Features.Get<ITlsConnectionFeature>();

        // Our TLS layer knows the version; Kestrel's own (UseHttps in an embedding host) says it through ITlsHandshakeFeature.
        var protocol = (tls as TlsSessionFeature)?.Protocol
            ?? connection.Features.Get<ITlsHandshakeFeature>()?.Protocol
            ?? SslProtocols.None;
        return new ConnectionInfo(
            connection.ConnectionId,
            connection.RemoteEndPoint as IPEndPoint,
            connection.LocalEndPoint as IPEndPoint,
            now)
        {
            TlsProtocol = ProtocolName(protocol),
            ClientCertificateSubject = tls?.ClientCertificate?.Subject is { Length: > 0 } subject ? subject : null,
            ProxyEndPoint = connection.Features.Get<ProxyProtocolFeature>()?.ProxyEndPoint,
        };
    }

    private static string? ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.None => null,
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };
}
