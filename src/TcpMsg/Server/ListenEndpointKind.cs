namespace TcpMsg.Server;

/// <summary>Which addresses a <see cref="ListenEndpoint"/> covers.</summary>
internal enum ListenEndpointKind
{
    /// <summary>Every interface, IPv4 and IPv6.</summary>
    Any,

    /// <summary>The loopback interfaces, IPv4 and IPv6.</summary>
    Localhost,

    /// <summary>One address.</summary>
    Address,
}
