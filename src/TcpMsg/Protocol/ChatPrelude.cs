using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// What a chat server may send a confirmed client before WELCOME: a connection that has sent
/// nothing yet is taken for a plain member at once (a listening <c>nc</c> never sends), so its
/// first room lines may go out before the client's preamble arrives. A client skips them: whole
/// lines that start like the room's lines do, <c>*** </c> for a notice, <c>[</c> for a message.
/// A frame never starts so (its first byte is the high byte of a length, 0 below 16 MiB).
/// </summary>
/// <remarks>
/// <code>
/// prelude = *( ( "*" / "[" ) *( %x01-09 / %x0B-FF ) LF )   ; then the first frame
/// </code>
/// </remarks>
internal static class ChatPrelude
{
    /// <summary>
    /// Where the first frame starts in <paramref name="input"/>, after any complete room lines;
    /// <paramref name="needMore"/> when a room line is not complete yet.
    /// </summary>
    public static SequencePosition Skip(in ReadOnlySequence<byte> input, out bool needMore)
    {
        needMore = false;
        var rest = input;
        while (!rest.IsEmpty && rest.FirstSpan[0] is (byte)'*' or (byte)'[')
        {
            if (rest.PositionOf((byte)'\n') is not { } end)
            {
                needMore = true;
                break;
            }

            rest = rest.Slice(rest.GetPosition(1, end));
        }

        return rest.Start;
    }
}
