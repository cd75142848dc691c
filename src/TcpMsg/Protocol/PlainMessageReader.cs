using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Cuts a plain-mode byte stream into messages. A pure function over <see cref="ReadOnlySequence{T}"/>:
/// no I/O, no text decoding. One instance per connection; it remembers how far it has already scanned
/// so that a long line arriving in many reads is searched once, not once per read.
/// </summary>
/// <remarks>
/// Wire grammar of plain mode (ABNF, RFC 5234):
/// <code>
/// stream  = *line [last]          ; PlainFraming.Lines
/// line    = *NOTLF LF             ; one CR right before LF is not part of the message
/// last    = 1*NOTLF               ; bytes left when the peer finishes sending (FIN)
/// NOTLF   = %x00-09 / %x0B-FF
/// stream  =/ *OCTET               ; PlainFraming.Whole: everything up to FIN is one message
/// </code>
/// A message that is empty once its line end is removed is skipped. A message longer than the
/// maximum size raises <see cref="MessageTooLargeException"/> as soon as that is known, before more
/// of it is buffered; the caller closes the connection.
/// </remarks>
internal struct PlainMessageReader
{
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    private readonly PlainFraming _framing;
    private readonly long _maxMessageSize;

    // How many bytes at the start of the unconsumed input are known to hold no LF.
    private long _scanned;

    /// <summary>Creates a reader for one connection.</summary>
    /// <param name="framing">How the stream is cut into messages.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes, not counting its line end.</param>
    public PlainMessageReader(PlainFraming framing, long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        _framing = framing;
        _maxMessageSize = maxMessageSize;
        _scanned = 0;
    }

    /// <summary>The framing this reader applies.</summary>
    public readonly PlainFraming Framing => _framing;

    /// <summary>The largest message accepted, in bytes.</summary>
    public readonly long MaxMessageSize => _maxMessageSize;

    /// <summary>
    /// Tries to read one message from the start of <paramref name="input"/>, the connection's unconsumed bytes.
    /// </summary>
    /// <param name="input">The unconsumed bytes; must start where the previous call's <paramref name="consumed"/> pointed.</param>
    /// <param name="isFinal">True when the peer has finished sending: no more bytes will follow.</param>
    /// <param name="message">The message's bytes, without its line end, when the method returns true.</param>
    /// <param name="consumed">Where the caller's buffer may be advanced to.</param>
    /// <param name="examined">How far the caller's buffer has been examined.</param>
    /// <returns>True when a message was read; false when more bytes are needed (or, if final, none are left).</returns>
    /// <exception cref="MessageTooLargeException">The message at the start of the input is longer than the maximum.</exception>
    public bool TryReadMessage(
        in ReadOnlySequence<byte> input,
        bool isFinal,
        out ReadOnlySequence<byte> message,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        consumed = input.Start;
        examined = input.End;
        message = default;
        return _framing == PlainFraming.Whole
            ? TryReadWhole(input, isFinal, out message, out consumed)
            : TryReadLine(input, isFinal, ref message, ref consumed, ref examined);
    }

    /// <summary>
    /// Frames every complete line of <paramref name="input"/>, a contiguous start of the unconsumed
    /// bytes, in one pass (<see cref="PlainFraming.Lines"/>): each message, line end removed and empty
    /// ones skipped, goes to <paramref name="lines"/> as a position in <paramref name="input"/>.
    /// What follows the last LF is left for <see cref="TryReadMessage"/>.
    /// </summary>
    /// <returns>The bytes the complete lines take, through the last LF; 0 when there is no LF.</returns>
    /// <exception cref="MessageTooLargeException">A line is longer than the maximum; the lines before it were handed over.</exception>
    internal int ReadLines<TLines>(ReadOnlySpan<byte> input, scoped ref TLines lines)
        where TLines : ILineTarget, allows ref struct
    {
        var start = 0;
        while (true)
        {
            var end = input[start..].IndexOf(Lf);
            if (end < 0)
            {
                break;
            }

            var length = end > 0 && input[start + end - 1] == Cr ? end - 1 : end;
            if (length > _maxMessageSize)
            {
                throw new MessageTooLargeException(_maxMessageSize, length);
            }

            if (length > 0)
            {
                lines.OnLine(start, length);
            }

            start += end + 1;
        }

        if (start > 0)
        {
            _scanned = 0;
        }

        return start;
    }

    private readonly bool TryReadWhole(in ReadOnlySequence<byte> input, bool isFinal, out ReadOnlySequence<byte> message, out SequencePosition consumed)
    {
        message = default;
        consumed = input.Start;
        if (input.Length > _maxMessageSize)
        {
            throw new MessageTooLargeException(_maxMessageSize, input.Length);
        }

        if (!isFinal || input.IsEmpty)
        {
            return false;
        }

        message = input;
        consumed = input.End;
        return true;
    }

    private bool TryReadLine(
        in ReadOnlySequence<byte> input,
        bool isFinal,
        ref ReadOnlySequence<byte> message,
        ref SequencePosition consumed,
        ref SequencePosition examined)
    {
        var remaining = input;
        while (true)
        {
            if (!TryFindLineEnd(remaining, out var lineEnd))
            {
                // No LF yet. A line of max bytes may still be followed by CR, then LF.
                if (remaining.Length > _maxMessageSize + 1 ||
                    (remaining.Length == _maxMessageSize + 1 && LastByte(remaining) != Cr))
                {
                    throw new MessageTooLargeException(_maxMessageSize, remaining.Length);
                }

                if (!isFinal)
                {
                    _scanned = remaining.Length;
                    consumed = remaining.Start;
                    examined = remaining.End;
                    return false;
                }

                // The peer finished sending: the rest is the last message.
                _scanned = 0;
                var last = TrimCr(remaining);
                consumed = remaining.End;
                examined = remaining.End;
                if (last.IsEmpty)
                {
                    return false;
                }

                message = last;
                return true;
            }

            _scanned = 0;
            var line = TrimCr(remaining.Slice(0, lineEnd));
            var next = remaining.GetPosition(1, lineEnd);
            if (line.Length > _maxMessageSize)
            {
                throw new MessageTooLargeException(_maxMessageSize, line.Length);
            }

            if (!line.IsEmpty)
            {
                message = line;
                consumed = next;
                examined = next;
                return true;
            }

            // An empty line is not a message; skip it and look for the next.
            remaining = remaining.Slice(next);
            consumed = remaining.Start;
        }
    }

    private readonly bool TryFindLineEnd(in ReadOnlySequence<byte> input, out SequencePosition lineEnd)
    {
        if (input.IsSingleSegment)
        {
            var span = input.FirstSpan;
            var from = (int)Math.Min(_scanned, span.Length);
            var index = span[from..].IndexOf(Lf);
            if (index >= 0)
            {
                lineEnd = input.GetPosition(from + index);
                return true;
            }

            lineEnd = default;
            return false;
        }

        var skip = Math.Min(_scanned, input.Length);
        var found = input.Slice(skip).PositionOf(Lf);
        lineEnd = found ?? default;
        return found.HasValue;
    }

    private static ReadOnlySequence<byte> TrimCr(in ReadOnlySequence<byte> line) =>
        !line.IsEmpty && LastByte(line) == Cr ? line.Slice(0, line.Length - 1) : line;

    private static byte LastByte(in ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan[^1];
        }

        Span<byte> last = stackalloc byte[1];
        sequence.Slice(sequence.Length - 1).CopyTo(last);
        return last[0];
    }
}
