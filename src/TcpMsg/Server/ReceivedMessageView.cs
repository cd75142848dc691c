using System.Text;
using TcpMsg.Server.Internal;

namespace TcpMsg.Server;

/// <summary>
/// One received message inside a <see cref="ServerEventBatch"/>, read in place: its text as the UTF-8
/// bytes that came (invalid sequences already replaced by U+FFFD), without a string or an event
/// object being made for it. Valid only while the sink handles the batch; copy what you keep.
/// </summary>
public readonly struct ReceivedMessageView
{
    private readonly MessageBatch _batch;
    private readonly int _index;

    internal ReceivedMessageView(MessageBatch batch, int index)
    {
        _batch = batch;
        _index = index;
    }

    /// <summary>The connection it came on.</summary>
    public ConnectionInfo Connection => _batch.Connection;

    /// <summary>When the read that completed it arrived (UTC).</summary>
    public DateTimeOffset Timestamp => _batch.Timestamp;

    /// <summary>The id the store gave the message; 0 when the server runs without a store.</summary>
    public long Id => _batch[_index].Id;

    /// <summary>The message's text as UTF-8; invalid UTF-8 sequences show as U+FFFD.</summary>
    public ReadOnlySpan<byte> Utf8Text => _batch.Text(_index);

    // The chat relay does not send a member its own messages.
    internal Internal.Chat.ChatMember? ChatOrigin => _batch.ChatOrigin;

    /// <summary>The message's length in bytes on the wire, line end excluded.</summary>
    public int ByteCount => _batch[_index].WireLength;

    /// <summary>How the message was framed.</summary>
    public MessageFraming Framing => _batch.Framing;

    /// <summary>True when the bytes were valid UTF-8.</summary>
    public bool IsValidUtf8 => _batch[_index].Raw is null;

    /// <summary>The original bytes when they were not valid UTF-8; empty when they were.</summary>
    public ReadOnlySpan<byte> RawBytes => _batch[_index].Raw;

    /// <summary>The sender's client id (confirmed mode); null for plain-mode messages.</summary>
    public string? ClientId => _batch.ClientId;

    /// <summary>The sender's sequence number (confirmed mode); 0 for plain-mode messages.</summary>
    public long Sequence => _batch[_index].Sequence;

    /// <summary>The sender's name in the chat room; null without a chat room.</summary>
    public string? Sender => _batch[_index].Sender;

    /// <summary>The syslog fields when the message is syslog (docs/syslog.md), made now; null otherwise.</summary>
    public SyslogInfo? GetSyslog() => _batch.TryGetSyslog(_index, out var fields) ? SyslogInfo.From(fields, Utf8Text) : null;

    /// <summary>The syslog fields read in place, without strings; false when the message is not syslog.</summary>
    public bool TryGetSyslog(out SyslogView syslog)
    {
        if (_batch.TryGetSyslog(_index, out var fields))
        {
            syslog = new SyslogView(Utf8Text, fields);
            return true;
        }

        syslog = default;
        return false;
    }

    /// <summary>Decodes the text into a new string.</summary>
    public string GetText() => Encoding.UTF8.GetString(Utf8Text);

    /// <summary>The message as a public event object, made now.</summary>
    public ReceivedMessage ToReceivedMessage()
    {
        ref var entry = ref _batch[_index];
        return new ReceivedMessage(
            _batch.Connection, _batch.Timestamp, GetText(), entry.WireLength, _batch.Framing, entry.Raw, _batch.ClientId, entry.Sequence, entry.Id,
            entry.Sender, GetSyslog(), _batch.ChatOrigin);
    }
}
