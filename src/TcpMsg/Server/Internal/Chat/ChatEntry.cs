using System.Buffers;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// One thing to send to chat members: a message or a notice. Immutable and shared by every member;
/// its encodings (a DELIVER or NOTICE frame, a plain line) are made once, by the first writer that
/// needs them, so a message fanned out to many members is encoded once per form.
/// </summary>
internal sealed class ChatEntry
{
    // Beyond its text, what an entry costs: the object, its name, its cached encodings' headers.
    private const int Overhead = 96;

    private readonly DeliverFrame? _message;
    private readonly NoticeFrame? _notice;
    private byte[]? _frame;
    private byte[]? _historyFrame;
    private byte[]? _line;
    private long _key;

    private ChatEntry(ChatMember? origin, DeliverFrame? message, NoticeFrame? notice, byte[]? line, long cost)
    {
        Origin = origin;
        _key = message?.Id ?? 0;
        _message = message;
        _notice = notice;
        _line = line;
        Cost = cost;
    }

    /// <summary>Who it came from: not sent back to that member. Null for everyone.</summary>
    public ChatMember? Origin { get; }

    /// <summary>Its share of <see cref="ChatOptions.MaxQueuedBytes"/>.</summary>
    public long Cost { get; }

    public bool IsMessage => _message is not null;

    /// <summary>A message's id (0 without a store); for a notice, the id of the last message before it in the log.</summary>
    public long Key => _key;

    /// <summary>The log places a notice after the message with id <paramref name="lastId"/> (once, under its lock).</summary>
    public void Place(long lastId) => _key = lastId;

    public static ChatEntry Message(long id, DateTimeOffset time, string name, string text, int byteCount, ChatMember? origin) =>
        new(origin, new DeliverFrame(id, time, name, text), null, null, byteCount + Overhead);

    public static ChatEntry Notice(NoticeFrame notice, ChatMember? origin = null, string? line = null) =>
        new(origin, null, notice, line is null ? null : ChatLines.Notice(line), Overhead);

    /// <summary>The frame for a confirmed-mode member.</summary>
    public byte[] Frame(bool history)
    {
        if (_message is { } message && history)
        {
            return Cached(ref _historyFrame, () => Encode((message with { IsHistory = true }).Write));
        }

        return Cached(ref _frame, () => _message is { } m ? Encode(m.Write) : Encode(_notice!.Write));
    }

    /// <summary>The line for a plain-mode member.</summary>
    public byte[] Line() => Cached(ref _line, () => _message is { } m
        ? ChatLines.Message(m.Time, m.Name, m.Text)
        : ChatLines.Notice(ChatLines.Describe(_notice!)));

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
