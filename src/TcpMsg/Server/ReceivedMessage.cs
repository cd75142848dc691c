namespace TcpMsg.Server;

/// <summary>
/// One complete message as the server received it, after it was stored. Made only for a sink that
/// reads events as objects; <see cref="ReceivedMessageView"/> reads the same message in place.
/// </summary>
public sealed class ReceivedMessage : ServerEvent
{
    /// <summary>Creates a received message.</summary>
    /// <param name="connection">The connection it came on.</param>
    /// <param name="timestamp">When its last byte arrived (UTC).</param>
    /// <param name="text">Its text; invalid UTF-8 shows as U+FFFD.</param>
    /// <param name="byteCount">Its length in bytes on the wire, line end excluded.</param>
    /// <param name="framing">How it was framed.</param>
    /// <param name="rawBytes">The original bytes when they were not valid UTF-8, else null.</param>
    /// <param name="clientId">The sender's client id, in confirmed mode.</param>
    /// <param name="sequence">The sender's sequence number, in confirmed mode; 0 in plain mode.</param>
    /// <param name="id">The id the store gave it; 0 without a store.</param>
    /// <param name="sender">The sender's name in the chat room; null without one.</param>
    /// <param name="syslog">Its syslog fields, when it is syslog.</param>
    public ReceivedMessage(
        ConnectionInfo connection,
        DateTimeOffset timestamp,
        string text,
        int byteCount,
        MessageFraming framing,
        byte[]? rawBytes = null,
        string? clientId = null,
        long sequence = 0,
        long id = 0,
        string? sender = null,
        SyslogInfo? syslog = null)
        : this(connection, timestamp, text, byteCount, framing, rawBytes, clientId, sequence, id, sender, syslog, chatOrigin: null)
    {
    }

    internal ReceivedMessage(
        ConnectionInfo connection,
        DateTimeOffset timestamp,
        string text,
        int byteCount,
        MessageFraming framing,
        byte[]? rawBytes,
        string? clientId,
        long sequence,
        long id,
        string? sender,
        SyslogInfo? syslog,
        Internal.Chat.ChatMember? chatOrigin)
        : base(connection, timestamp)
    {
        Id = id;
        Text = text;
        ByteCount = byteCount;
        Framing = framing;
        RawBytes = rawBytes;
        ClientId = clientId;
        Sequence = sequence;
        Sender = sender;
        Syslog = syslog;
        ChatOrigin = chatOrigin;
    }

    /// <summary>The id the store gave the message; 0 when the server runs without a store.</summary>
    public long Id { get; }

    /// <summary>The message's text. Invalid UTF-8 sequences show as U+FFFD.</summary>
    public string Text { get; }

    /// <summary>The message's length in bytes on the wire, line end excluded.</summary>
    public int ByteCount { get; }

    /// <summary>How the message was framed.</summary>
    public MessageFraming Framing { get; }

    /// <summary>The original bytes when they were not valid UTF-8; null when they were.</summary>
    public byte[]? RawBytes { get; }

    /// <summary>The sender's client id (confirmed mode); null for plain-mode messages.</summary>
    public string? ClientId { get; }

    /// <summary>The sender's sequence number (confirmed mode); 0 for plain-mode messages.</summary>
    public long Sequence { get; }

    /// <summary>The sender's name in the chat room (<see cref="TcpMsgServerOptions.Chat"/>); null without a chat room.</summary>
    public string? Sender { get; }

    /// <summary>The syslog fields when the message is syslog (docs/syslog.md); null otherwise.</summary>
    public SyslogInfo? Syslog { get; }

    /// <summary>The chat member that sent it: the relay does not send a member its own messages.</summary>
    internal Internal.Chat.ChatMember? ChatOrigin { get; }

    /// <summary>True when the bytes were valid UTF-8.</summary>
    public bool IsValidUtf8 => RawBytes is null;

    internal override ServerEventKind Kind => ServerEventKind.Message;
}
