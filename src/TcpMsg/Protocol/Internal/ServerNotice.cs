using System.Buffers;
using System.Text;

namespace TcpMsg.Protocol.Internal;

/// <summary>
/// A line a tcpmsg server writes to a connection it will not serve, before it closes it:
/// <c>tcpmsg: refused (REASON): words</c> at accept (docs/protocol.md, "Refused at accept"), or
/// <c>tcpmsg: words</c> to a plain client on a server that accepts only confirmed mode. It starts
/// with a byte no frame starts with (a frame's first byte is the high byte of a length below 16 MiB),
/// and nc shows it as it is.
/// </summary>
internal readonly record struct ServerNotice(string? Reason, string Words)
{
    /// <summary>Refused by the access rules (the address may not connect, or is not a trusted proxy).</summary>
    public const string AccessDenied = "access-denied";

    /// <summary>Refused at the server's connection limit.</summary>
    public const string ConnectionLimit = "connection-limit";

    /// <summary>Refused at the limit of connections per address.</summary>
    public const string AddressLimit = "address-limit";

    /// <summary>A notice longer than this is not one; nothing the server writes comes near it.</summary>
    private const int MaxLength = 1024;

    private static ReadOnlySpan<byte> Prefix => "tcpmsg: "u8;

    private static ReadOnlySpan<byte> RefusedPrefix => "refused ("u8;

    /// <summary>
    /// Reads a notice at the start of <paramref name="input"/>: <see cref="OperationStatus.Done"/> with
    /// it, <see cref="OperationStatus.NeedMoreData"/> while the input could still become one (at the
    /// end of the stream, what is there is taken as the whole line), <see cref="OperationStatus.InvalidData"/> when it is not one.
    /// </summary>
    public static OperationStatus TryRead(in ReadOnlySequence<byte> input, bool isFinal, out ServerNotice notice)
    {
        notice = default;
        Span<byte> start = stackalloc byte[8];
        var available = (int)Math.Min(input.Length, start.Length);
        input.Slice(0, available).CopyTo(start);
        if (!Prefix.StartsWith(start[..available]))
        {
            return OperationStatus.InvalidData;
        }

        var end = input.PositionOf((byte)'\n');
        if (end is null && !isFinal)
        {
            return input.Length > MaxLength ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        }

        var line = end is { } position ? input.Slice(0, position) : input;
        if (available < Prefix.Length || line.Length > MaxLength)
        {
            return OperationStatus.InvalidData;
        }

        var text = Encoding.UTF8.GetString(line.Slice(Prefix.Length)).TrimEnd('\r');
        notice = Parse(text);
        return OperationStatus.Done;
    }

    private static ServerNotice Parse(string text)
    {
        var refused = Encoding.UTF8.GetString(RefusedPrefix);
        if (text.StartsWith(refused, StringComparison.Ordinal) && text.IndexOf("): ", StringComparison.Ordinal) is var close and > 0)
        {
            return new ServerNotice(text[refused.Length..close], text[(close + 3)..]);
        }

        return new ServerNotice(null, text);
    }
}
