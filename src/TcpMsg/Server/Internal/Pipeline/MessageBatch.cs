using System.Buffers;
using System.Text;
using TcpMsg.Protocol.Internal;
using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The complete messages one connection delivered in one socket read: their UTF-8 text copied once
/// into one buffer, one receive time, and what they share (connection, framing, sender id, where the
/// acknowledgement goes). One queue operation carries the whole batch to the dispatcher; batches are
/// pooled (<see cref="MessageBatchPool"/>), so a steady stream of reads allocates nothing.
/// </summary>
internal sealed class MessageBatch
{
    private const int InitialBytes = 8 * 1024;
    private const int InitialEntries = 64;

    // A session publishes a batch once it holds this much and starts another, so that a read of a
    // megabyte (a pipe that filled while the pipeline was full) does not grow the buffers onto the
    // large-object heap (85,000 bytes), where each new one is cleared page by page and counts towards
    // a gen2 collection: grown to 64 KiB at most (one message past the mark), they are reused.
    private const int FullBytes = 32 * 1024;
    private const int FullEntries = 512;

    // A buffer grown past this (a message of a megabyte) is rented from the pool's large buffers
    // (LargeBuffers) and given back with the batch: a burst of long messages then reuses a few large
    // buffers instead of leaving one large-object-heap array behind per message for a gen2 collection.
    private const int RentedBytes = 64 * 1024;

    private byte[] _bytes = new byte[InitialBytes];
    private ArrayPool<byte>? _rentedFrom;
    private Entry[] _entries = new Entry[InitialEntries];
    private int _used;

    public ConnectionInfo Connection { get; private set; } = null!;

    /// <summary>When the read that framed these messages completed (UTC): one clock read per batch.</summary>
    public DateTimeOffset Timestamp { get; private set; }

    public MessageFraming Framing { get; private set; }

    /// <summary>The confirmed sender's client id; null in plain mode.</summary>
    public string? ClientId { get; private set; }

    /// <summary>Where acknowledgements go once the batch is stored (confirmed mode, the server's chat posts).</summary>
    public IAckTarget? AckTarget { get; private set; }

    /// <summary>The chat member that sent them: the relay does not send a member its own messages.</summary>
    public ChatMember? ChatOrigin { get; private set; }

    public int Count { get; private set; }

    /// <summary>Whether these messages are read as syslog; set by a plain session, Off for the others.</summary>
    public SyslogMode Syslog { get; set; } = SyslogMode.Off;

    /// <summary>The batch's share of the pipeline's pending limit; fixed when it is published.</summary>
    public long Cost { get; set; }

    /// <summary>True once the batch holds enough to be published: the caller starts another for what follows.</summary>
    public bool IsFull => _used >= FullBytes || Count >= FullEntries;

    /// <summary>Bytes of text the batch takes before it is full.</summary>
    public int Room => Math.Max(0, FullBytes - _used);

    /// <summary>Bytes of text held, for the pool to tell a batch grown by a huge message.</summary>
    public int Capacity => _bytes.Length;

    public ref Entry this[int index] => ref _entries[index];

    /// <summary>The message's text as UTF-8 (invalid input already replaced by U+FFFD).</summary>
    public ReadOnlySpan<byte> Text(int index)
    {
        ref var entry = ref _entries[index];
        return _bytes.AsSpan(entry.Offset, entry.Length);
    }

    /// <summary>The same text as memory, for a writer that takes memory (Npgsql's binary import).</summary>
    public ReadOnlyMemory<byte> TextMemory(int index)
    {
        ref var entry = ref _entries[index];
        return _bytes.AsMemory(entry.Offset, entry.Length);
    }

    /// <summary>The message's syslog fields, parsed now from its text (as <see cref="Syslog"/> says), as offsets into <see cref="Text"/>.</summary>
    public bool TryGetSyslog(int index, out Protocol.SyslogFields fields) => TryParseSyslog(Syslog, Text(index), out fields);

    public void Reset(ConnectionInfo connection, DateTimeOffset timestamp, MessageFraming framing, string? clientId, IAckTarget? ackTarget, ChatMember? chatOrigin)
    {
        Array.Clear(_entries, 0, Count);
        Count = 0;
        _used = 0;
        Cost = 0;
        Syslog = SyslogMode.Off;
        Connection = connection;
        Timestamp = timestamp;
        Framing = framing;
        ClientId = clientId;
        AckTarget = ackTarget;
        ChatOrigin = chatOrigin;
    }

    /// <summary>Lets go of what the batch refers to, before it goes back to the pool.</summary>
    public void Clear() => Reset(null!, default, default, null, null, null);

    /// <summary>
    /// Copies one message in and validates it as UTF-8, in one pass over the copy. Invalid text is
    /// not added: false, and the caller reports it first, then adds it with <see cref="AddInvalid"/>.
    /// </summary>
    public bool TryAdd(in ReadOnlySequence<byte> message, string? sender, long sequence = 0)
    {
        var length = checked((int)message.Length);
        var target = Reserve(length);
        message.CopyTo(target);
        if (!Utf8Validation.IsValid(target))
        {
            return false;
        }

        Append(length, length, null, sender, sequence);
        return true;
    }

    /// <summary>Adds text known to be valid UTF-8 (the server's own chat posts).</summary>
    public void Add(ReadOnlySpan<byte> utf8, string? sender, long sequence = 0)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Append(utf8.Length, utf8.Length, null, sender, sequence);
    }

    /// <summary>Copies bytes holding several messages in one piece; returns where they start, for <see cref="AddCopied"/>.</summary>
    public int AppendBytes(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        var offset = _used;
        _used += utf8.Length;
        return offset;
    }

    /// <summary>Adds a message whose valid UTF-8 <see cref="AppendBytes"/> copied in already.</summary>
    public void AddCopied(int offset, int length, string? sender)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[Count++] = new Entry { Offset = offset, Length = length, WireLength = length, Sender = sender };
    }

    /// <summary>Adds a message that is not valid UTF-8: its text with U+FFFD for the bad bytes, and the bytes as they came.</summary>
    public void AddInvalid(in ReadOnlySequence<byte> message, string? sender, long sequence = 0)
    {
        // Rare: the same replacement the decoder of the public text makes.
        var raw = message.ToArray();
        var replaced = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(raw));
        replaced.CopyTo(Reserve(replaced.Length));
        Append(replaced.Length, raw.Length, raw, sender, sequence);
    }

    private Span<byte> Reserve(int length)
    {
        if (_bytes.Length - _used < length)
        {
            var size = Math.Max(_used + length, _bytes.Length * 2);
            if (size > RentedBytes && Large?.Pool is { } pool)
            {
                var bigger = pool.Rent(size);
                _bytes.AsSpan(0, _used).CopyTo(bigger);
                GiveBack();
                _bytes = bigger;
                _rentedFrom = pool;
            }
            else
            {
                Array.Resize(ref _bytes, size);
            }
        }

        return _bytes.AsSpan(_used, length);
    }

    /// <summary>Where a batch of a <see cref="MessageBatchPool"/> rents large buffers; null (a batch of its own) allocates them.</summary>
    public LargeBuffers? Large { get; init; }

    /// <summary>
    /// Gives a buffer that a large message grew back to its pool and starts again small; the
    /// batch's messages must no longer be read (the pool calls it when the batch comes back).
    /// </summary>
    public void ShrinkLarge()
    {
        if (_rentedFrom is not null)
        {
            GiveBack();
            _bytes = new byte[InitialBytes];
        }
    }

    private void GiveBack()
    {
        if (_rentedFrom is { } pool)
        {
            _rentedFrom = null;
            pool.Return(_bytes);
        }
    }

    private void Append(int length, int wireLength, byte[]? raw, string? sender, long sequence)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[Count++] = new Entry
        {
            Offset = _used,
            Length = length,
            WireLength = wireLength,
            Raw = raw,
            Sender = sender,
            Sequence = sequence,
        };
        _used += length;
    }

    /// <summary>One message of the batch.</summary>
    internal struct Entry
    {
        public int Offset;
        public int Length;

        /// <summary>Its length on the wire, line end excluded.</summary>
        public int WireLength;

        /// <summary>The bytes as they came when they were not valid UTF-8; else null.</summary>
        public byte[]? Raw;
        public string? Sender;
        public long Sequence;

        /// <summary>The store's id, once stored; 0 without a store.</summary>
        public long Id;

        /// <summary>The store (or, without one, the sender sequences) had it already: acknowledged, not shown again.</summary>
        public bool IsDuplicate;
    }

    /// <summary>Parses <paramref name="utf8"/> as <paramref name="mode"/> says.</summary>
    private static bool TryParseSyslog(SyslogMode mode, ReadOnlySpan<byte> utf8, out Protocol.SyslogFields fields)
    {
        switch (mode)
        {
            case SyslogMode.Auto when !utf8.IsEmpty && utf8[0] == (byte)'<':
                return Protocol.SyslogParser.TryParse(utf8, out fields);
            case SyslogMode.On:
                fields = Protocol.SyslogParser.ParseAny(utf8);
                return true;
            default:
                fields = default;
                return false;
        }
    }
}
