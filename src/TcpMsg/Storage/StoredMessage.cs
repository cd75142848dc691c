namespace TcpMsg.Storage;

/// <summary>One message as the store keeps it.</summary>
/// <param name="Id">The store's id; ascending in commit order.</param>
/// <param name="ReceivedAt">When it arrived (UTC).</param>
/// <param name="PeerAddress">The sender's address: <c>127.0.0.1</c>, <c>::1</c>.</param>
/// <param name="PeerPort">The sender's port.</param>
/// <param name="ConnectionId">The connection it came on.</param>
/// <param name="Framing">line, whole or confirmed.</param>
/// <param name="Text">The text; invalid UTF-8 shows as U+FFFD.</param>
/// <param name="RawBytes">The original bytes when they were not valid UTF-8; else null.</param>
/// <param name="ClientId">The confirmed-mode sender's client id; else null.</param>
/// <param name="Sequence">The confirmed-mode sequence number; else 0.</param>
public sealed record StoredMessage(
    long Id,
    DateTimeOffset ReceivedAt,
    string PeerAddress,
    int PeerPort,
    string ConnectionId,
    string Framing,
    string Text,
    byte[]? RawBytes,
    string? ClientId,
    long Sequence)
{
    /// <summary>The sender's name in the chat room when it sent the message; null outside a chat room.</summary>
    public string? Sender { get; init; }

    /// <summary>The subject of the client certificate the sender presented over TLS; null without one.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>The syslog fields when the message parsed as syslog (docs/syslog.md); null otherwise.</summary>
    public SyslogInfo? Syslog { get; init; }

    /// <summary>The sender as <c>127.0.0.1:54321</c> or <c>[::1]:54321</c>.</summary>
    public string PeerEndPoint => PeerAddress.Contains(':', StringComparison.Ordinal) ? $"[{PeerAddress}]:{PeerPort}" : $"{PeerAddress}:{PeerPort}";
}
