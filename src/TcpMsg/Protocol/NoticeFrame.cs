using System.Buffers;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Protocol;

/// <summary>
/// NOTICE: news of the chat room for a member, or the answer to its command.
/// <code>
/// notice = kind fields   ; kind OCTET, fields as in HELLO (tag flen value)
/// </code>
/// Fields: 0x01 request (uint32), 0x02 name, 0x03 new name, 0x04 member (repeated),
/// 0x05 count (uint64), 0x06 reason; names and reason UTF-8. Unknown tags are skipped.
/// </summary>
/// <param name="Kind">What the notice says; a kind this version does not know is kept as its number.</param>
/// <param name="Request">The request id of the COMMAND it answers; 0 when unsolicited.</param>
/// <param name="Name">Who joined, left or was renamed; the member's own name (NAME); the refused name (REFUSED).</param>
/// <param name="NewName">RENAMED: the new name.</param>
/// <param name="Members">WHO: the names in the room.</param>
/// <param name="Count">DROPPED: how many messages were skipped.</param>
/// <param name="Reason">LEFT, REFUSED: why, in English.</param>
internal sealed record NoticeFrame(
    NoticeKind Kind,
    uint Request = 0,
    string? Name = null,
    string? NewName = null,
    IReadOnlyList<string>? Members = null,
    long Count = 0,
    string? Reason = null)
{
    private const byte RequestTag = 0x01;
    private const byte NameTag = 0x02;
    private const byte NewNameTag = 0x03;
    private const byte MemberTag = 0x04;
    private const byte CountTag = 0x05;
    private const byte ReasonTag = 0x06;

    /// <summary>Writes the whole frame, header included.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var fields = new ArrayBufferWriter<byte>(64);
        fields.Write([(byte)Kind]);
        if (Request != 0)
        {
            FieldList.WriteUInt32(fields, RequestTag, Request);
        }

        WriteText(fields, NameTag, Name);
        WriteText(fields, NewNameTag, NewName);
        foreach (var member in Members ?? [])
        {
            FieldList.Write(fields, MemberTag, member);
        }

        if (Count != 0)
        {
            FieldList.WriteUInt64(fields, CountTag, (ulong)Count);
        }

        WriteText(fields, ReasonTag, Reason);
        FieldList.WriteFrame(output, FrameType.Notice, fields);
    }

    /// <summary>Parses a NOTICE payload.</summary>
    /// <exception cref="ProtocolException">The kind is missing, or a field is truncated or malformed.</exception>
    public static NoticeFrame Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var kind))
        {
            throw new ProtocolException(ProtocolErrorCode.Protocol, "NOTICE frame without a kind");
        }

        uint request = 0;
        string? name = null;
        string? newName = null;
        List<string>? members = null;
        long count = 0;
        string? reason = null;
        while (FieldList.TryRead(ref reader, FrameType.Notice, out var tag, out var value))
        {
            switch (tag)
            {
                case RequestTag:
                    request = FieldList.ReadUInt32(value, FrameType.Notice, tag);
                    break;
                case NameTag:
                    name = FieldList.ReadText(value, FrameType.Notice, tag);
                    break;
                case NewNameTag:
                    newName = FieldList.ReadText(value, FrameType.Notice, tag);
                    break;
                case MemberTag:
                    (members ??= []).Add(FieldList.ReadText(value, FrameType.Notice, tag));
                    break;
                case CountTag:
                    var raw = FieldList.ReadUInt64(value, FrameType.Notice, tag);
                    count = raw <= long.MaxValue ? (long)raw : throw new ProtocolException(ProtocolErrorCode.Protocol, "NOTICE count out of range");
                    break;
                case ReasonTag:
                    reason = Utf8MessageDecoder.Decode(value, out _);
                    break;
            }
        }

        return new NoticeFrame((NoticeKind)kind, request, name, newName, kind == (byte)NoticeKind.Who ? members ?? [] : members, count, reason);
    }

    private static void WriteText(ArrayBufferWriter<byte> fields, byte tag, string? text)
    {
        if (text is not null)
        {
            FieldList.Write(fields, tag, text);
        }
    }
}
