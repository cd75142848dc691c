using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Server;

/// <summary>Who is on the other end of a connection, and since when.</summary>
public sealed class ConnectionInfo
{
    /// <summary>Creates the description of one connection.</summary>
    /// <param name="id">The connection id, unique for the life of the server.</param>
    /// <param name="remoteEndPoint">The peer's address and port.</param>
    /// <param name="localEndPoint">The server's address and port for this connection.</param>
    /// <param name="connectedAt">When the connection was accepted (UTC).</param>
    public ConnectionInfo(string id, IPEndPoint? remoteEndPoint, IPEndPoint? localEndPoint, DateTimeOffset connectedAt)
    {
        Id = id;
        RemoteEndPoint = Normalize(remoteEndPoint);
        LocalEndPoint = Normalize(localEndPoint);
        ConnectedAt = connectedAt;
        Address = RemoteEndPoint?.Address.ToString() ?? "unknown";
        EndPoint = RemoteEndPoint is null ? "unknown" : FormatEndPoint(RemoteEndPoint);
    }

    /// <summary>Describes a source of messages that is not a connection (the server's own chat posts).</summary>
    internal ConnectionInfo(string id, string label, DateTimeOffset connectedAt)
    {
        Id = id;
        ConnectedAt = connectedAt;
        Address = label;
        EndPoint = label;
    }

    /// <summary>
    /// The connection id, unique for the life of the server: Kestrel's, or <c>refused-N</c> for a peer
    /// refused as soon as it was accepted (by address, or at the connection limit), which never became
    /// a Kestrel connection.
    /// </summary>
    public string Id { get; }

    /// <summary>The peer's address and port; IPv4-mapped IPv6 addresses are shown as IPv4.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The server's address and port for this connection.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>When the connection was accepted (UTC).</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>The peer's address as text: <c>127.0.0.1</c> or <c>::1</c>.</summary>
    public string Address { get; }

    /// <summary>The peer's address and port as text: <c>127.0.0.1:54321</c> or <c>[::1]:54321</c>.</summary>
    public string EndPoint { get; }

    /// <summary>The TLS version, such as <c>TLS 1.3</c>, when the connection is encrypted; otherwise null.</summary>
    public string? TlsProtocol { get; init; }

    /// <summary>The subject of the certificate the client presented, such as <c>CN=alice</c>; null when it presented none.</summary>
    public string? ClientCertificateSubject { get; init; }

    /// <summary>
    /// The load balancer that relayed the connection with a PROXY protocol header; null for a direct
    /// connection. <see cref="RemoteEndPoint"/> is then the client it announced.
    /// </summary>
    public IPEndPoint? ProxyEndPoint { get; init; }

    /// <inheritdoc />
    public override string ToString() => EndPoint;

    /// <summary>Formats an endpoint the way tcpmsg prints it: <c>1.2.3.4:5</c>, <c>[::1]:5</c>.</summary>
    public static string FormatEndPoint(IPEndPoint endPoint)
    {
        var normalized = Normalize(endPoint)!;
        return normalized.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{normalized.Address}]:{normalized.Port}"
            : $"{normalized.Address}:{normalized.Port}";
    }

    private static IPEndPoint? Normalize(IPEndPoint? endPoint) =>
        endPoint is { Address.IsIPv4MappedToIPv6: true }
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint;
}
