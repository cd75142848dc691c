using System.Buffers;
using System.Text;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// One thing to send to chat members: a message or a notice. Immutable and shared by every member.
/// A message's plain line (<c>[14:03:07] bob> hi</c>) is made once, from the UTF-8 text as it
/// came, when the entry is made; its text for a DELIVER frame is that line's slice (or, when the
/// line had to escape something, a copy). Frames are made once, by the first confirmed-mode writer
/// that needs them, so a message fanned out to many members is encoded once per form.
/// </summary>
internal sealed class ChatEntry
{
    // Beyond its text, what an entry costs: the object, its name, its cached encodings' headers.
    private const int Overhead = 96;

    private readonly NoticeFrame? _notice;
    private readonly string? _name;
    private readonly byte[]? _text;
    private readonly int _textOffset;
    private readonly int _textLength;
    private readonly DateTimeOffset _time;
    private byte[]? _frame;
    private byte[]? _historyFrame;
    private byte[]? _line;
    private long _key;

    private ChatEntry(ChatMember? origin, NoticeFrame notice, byte[]? line)
    {
        Origin = origin;
        _notice = notice;
        _line = line;
        Cost = Overhead;
    }

    private ChatEntry(long id, DateTimeOffset time, string name, byte[] line, byte[] text, int textOffset, int textLength, ChatMember? origin, string? storedConnectionId)
    {
        Origin = origin;
        StoredConnectionId = storedConnectionId;
        IsMessage = true;
        _key = id;
        _time = time;
        _name = name;
        _line = line;
        _text = text;
        _textOffset = textOffset;
        _textLength = textLength;
        Cost = textLength + Overhead;
    }

    /// <summary>Who it came from: not sent back to that member. Null for everyone.</summary>
    public ChatMember? Origin { get; }

    /// <summary>For a message read back from the store, the connection that sent it (a member is not sent its own).</summary>
    public string? StoredConnectionId { get; }

    /// <summary>Its share of <see cref="ChatOptions.MaxQueuedBytes"/>.</summary>
    public long Cost { get; }

    public bool IsMessage { get; }

    /// <summary>A message's id (0 without a store); for a notice, the id of the last message before it in the log.</summary>
    public long Key => _key;

    /// <summary>Where the log put it (its sequence), once it is appended; notices replayed to a member catching up are found by it.</summary>
    public long Sequence { get; private set; }

    /// <summary>The log places a notice after the message with id <paramref name="lastId"/> (once, under its lock).</summary>
    public void Place(long lastId) => _key = lastId;

    /// <summary>The log numbered it (once, under its lock).</summary>
    public void Number(long sequence) => Sequence = sequence;

    /// <summary>
    /// A message: its line is <paramref name="prefix"/> (<see cref="ChatLinePrefix"/>), the text
    /// escaped, and a line end, written through <paramref name="scratch"/> (cleared here).
    /// </summary>
    public static ChatEntry Message(long id, DateTimeOffset time, string name, ReadOnlySpan<byte> utf8Text, ReadOnlySpan<byte> prefix, ArrayBufferWriter<byte> scratch, ChatMember? origin, string? storedConnectionId = null)
    {
        scratch.ResetWrittenCount();
        scratch.Write(prefix);
        TerminalText.WriteEscaped(scratch, utf8Text);
        var end = scratch.WrittenCount;
        scratch.Write("\n"u8);
        var line = scratch.WrittenSpan.ToArray();
        var escaped = line.AsSpan(prefix.Length, end - prefix.Length);
        return escaped.SequenceEqual(utf8Text)
            ? new ChatEntry(id, time, name, line, line, prefix.Length, utf8Text.Length, origin, storedConnectionId)
            : new ChatEntry(id, time, name, line, utf8Text.ToArray(), 0, utf8Text.Length, origin, storedConnectionId);
    }

    public static ChatEntry Notice(NoticeFrame notice, ChatMember? origin = null, string? line = null) =>
        new(origin, notice, line is null ? null : ChatLines.Notice(line));

    /// <summary>The frame for a confirmed-mode member.</summary>
    public byte[] Frame(bool history)
    {
        if (IsMessage && history)
        {
            return Cached(ref _historyFrame, () => Encode(Deliver(isHistory: true).Write));
        }

        return Cached(ref _frame, () => IsMessage ? Encode(Deliver(isHistory: false).Write) : Encode(_notice!.Write));
    }

    /// <summary>The line for a plain-mode member.</summary>
    public byte[] Line() => _line ?? Cached(ref _line, () => ChatLines.Notice(ChatLines.Describe(_notice!)));

    private DeliverFrame Deliver(bool isHistory) =>
        new(_key, _time, _name!, Encoding.UTF8.GetString(_text!, _textOffset, _textLength), isHistory);

    private static byte[] Cached(ref byte[]? cache, Func<byte[]> create)
    {
        // Two writers may both encode; either result is the same bytes.
        return Volatile.Read(ref cache) ?? Interlocked.CompareExchange(ref cache, create(), null) ?? cache!;
    }

    private static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
