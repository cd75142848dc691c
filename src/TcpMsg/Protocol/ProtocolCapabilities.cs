namespace TcpMsg.Protocol;

/// <summary>
/// The capability bits of HELLO (what the client asks for) and WELCOME (what the server offers);
/// docs/protocol.md. Unknown bits are ignored, so a new capability never breaks an older peer.
/// </summary>
internal static class ProtocolCapabilities
{
    /// <summary>HELLO: make this connection a chat member. WELCOME: this server runs a chat room.</summary>
    public const uint Chat = 0x0000_0001;
}
