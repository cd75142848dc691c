namespace TcpMsg.Server.Internal;

/// <summary>
/// One message of a <see cref="MessageBatch"/> as the store and the sender sequences see it before it
/// is shown: a reference into the batch, not a copy, so the id and the duplicate mark the store sets
/// are the batch's own.
/// </summary>
internal readonly struct PendingMessage
{
    private readonly MessageBatch _batch;
    private readonly int _index;

    public PendingMessage(MessageBatch batch, int index)
    {
        _batch = batch;
        _index = index;
    }

    public ConnectionInfo Connection => _batch.Connection;

    public DateTimeOffset Timestamp => _batch.Timestamp;

    public MessageFraming Framing => _batch.Framing;

    /// <summary>The text as UTF-8 (invalid input replaced by U+FFFD); valid while the batch is being dispatched.</summary>
    public ReadOnlySpan<byte> Text => _batch.Text(_index);

    /// <summary>The same as <see cref="Text"/>, as memory; valid while the batch is being dispatched.</summary>
    public ReadOnlyMemory<byte> TextMemory => _batch.TextMemory(_index);

    /// <summary>The bytes as they came when they were not valid UTF-8; else null.</summary>
    public byte[]? RawBytes => _batch[_index].Raw;

    /// <summary>The syslog fields, parsed now, as offsets into <see cref="Text"/>; false for a message that is not syslog.</summary>
    public bool TryGetSyslog(out Protocol.SyslogFields fields) => _batch.TryGetSyslog(_index, out fields);

    public int ByteCount => _batch[_index].WireLength;

    public string? ClientId => _batch.ClientId;

    public long Sequence => _batch[_index].Sequence;

    public string? Sender => _batch[_index].Sender;

    public long Id
    {
        get => _batch[_index].Id;
        set => _batch[_index].Id = value;
    }

    public bool IsDuplicate
    {
        get => _batch[_index].IsDuplicate;
        set => _batch[_index].IsDuplicate = value;
    }
}
