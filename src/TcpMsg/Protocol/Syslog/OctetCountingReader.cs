using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Cuts an octet-counted syslog stream (RFC 6587 section 3.4.1) into messages: a pure function over
/// <see cref="ReadOnlySequence{T}"/>, no I/O, no text decoding.
/// </summary>
/// <remarks>
/// <code>
/// stream      = *(frame *between)
/// frame       = MSG-LEN SP SYSLOG-MSG     ; RFC 6587 3.4.1
/// MSG-LEN     = NONZERO-DIGIT *DIGIT      ; octets in SYSLOG-MSG, at most the maximum message size
/// SYSLOG-MSG  = MSG-LEN OCTET             ; LF and CR inside are part of the message, except one
///                                         ; LF (or CRLF) at its very end; an empty message is skipped
/// between     = LF / CR                   ; tolerated: some senders end each frame with a line end
/// </code>
/// The count is checked digit by digit before the message is buffered: a count with a leading zero,
/// a byte that is neither a digit nor the SP after it raises <see cref="ProtocolException"/>; a count
/// that is over the maximum, as soon as its digits say so, raises <see cref="MessageTooLargeException"/>.
/// A connection that finishes inside a frame raises <see cref="ProtocolException"/> too: an incomplete
/// frame is not a message. rsyslog (runtime/tcps_sess.c) caps the count it parses the same way, but
/// guesses the framing anew for every frame from its first byte; here the decision is made once per
/// connection (<see cref="OctetCountingDetector"/>) and then held.
/// </remarks>
internal struct OctetCountingReader
{
    private readonly long _maxMessageSize;

    // The length of the frame whose header was already parsed (its message not complete yet), and the
    // header's length; -1 when the next frame's header has not been read.
    private long _pending;
    private int _headerLength;

    public OctetCountingReader(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        _maxMessageSize = maxMessageSize;
        _pending = -1;
        _headerLength = 0;
    }

    public readonly long MaxMessageSize => _maxMessageSize;

    /// <summary>Tries to read one frame's message from the start of <paramref name="input"/>.</summary>
    /// <exception cref="ProtocolException">The count is malformed, or the input ended inside a frame.</exception>
    /// <exception cref="MessageTooLargeException">The count is over the maximum message size.</exception>
    public bool TryReadMessage(
        in ReadOnlySequence<byte> input,
        bool isFinal,
        out ReadOnlySequence<byte> message,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        message = default;
        var remaining = input;
        while (true)
        {
            if (_pending < 0)
            {
                remaining = SkipLineEnds(remaining);
                if (!TryReadHeader(remaining, out _pending, out _headerLength))
                {
                    _pending = -1;
                    consumed = remaining.Start;
                    examined = remaining.End;
                    return remaining.IsEmpty || !isFinal
                        ? false
                        : throw new ProtocolException(ProtocolErrorCode.Protocol, $"the connection ended inside the octet count of a frame ({remaining.Length} bytes)");
                }
            }

            var frameLength = _headerLength + _pending;
            if (remaining.Length < frameLength)
            {
                consumed = remaining.Start;
                examined = remaining.End;
                return !isFinal
                    ? false
                    : throw new ProtocolException(ProtocolErrorCode.Protocol, $"the connection ended inside an octet-counted frame ({remaining.Length - _headerLength} of {_pending} bytes)");
            }

            var frame = remaining.Slice(_headerLength, _pending);
            remaining = remaining.Slice(frame.End);
            _pending = -1;
            message = TrimLineEnd(frame);
            if (!message.IsEmpty)
            {
                consumed = frame.End;
                examined = consumed;
                return true;
            }
        }
    }

    // rsyslog's and syslog-ng's templates end a message with LF, which then travels inside the frame.
    private static ReadOnlySequence<byte> TrimLineEnd(in ReadOnlySequence<byte> frame)
    {
        var end = frame.Length;
        if (end > 0 && ByteAt(frame, end - 1) == (byte)'\n')
        {
            end--;
            if (end > 0 && ByteAt(frame, end - 1) == (byte)'\r')
            {
                end--;
            }
        }

        return end == frame.Length ? frame : frame.Slice(0, end);
    }

    private static byte ByteAt(in ReadOnlySequence<byte> sequence, long index)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan[(int)index];
        }

        Span<byte> one = stackalloc byte[1];
        sequence.Slice(index, 1).CopyTo(one);
        return one[0];
    }

    private static ReadOnlySequence<byte> SkipLineEnds(in ReadOnlySequence<byte> input)
    {
        var skip = 0L;
        foreach (var memory in input)
        {
            var span = memory.Span;
            var index = span.IndexOfAnyExcept((byte)'\n', (byte)'\r');
            if (index >= 0)
            {
                return input.Slice(skip + index);
            }

            skip += span.Length;
        }

        return input.Slice(input.End);
    }

    // False when more bytes are needed. The header is at most the digits of the maximum plus SP.
    private readonly bool TryReadHeader(in ReadOnlySequence<byte> input, out long length, out int headerLength)
    {
        length = 0;
        headerLength = 0;
        var digits = 0;
        foreach (var memory in input)
        {
            foreach (var b in memory.Span)
            {
                if (b == (byte)' ' && digits > 0)
                {
                    headerLength = digits + 1;
                    return true;
                }

                if (b is < (byte)'0' or > (byte)'9')
                {
                    throw new ProtocolException(ProtocolErrorCode.Protocol, digits == 0
                        ? $"expected the octet count of a frame, got byte 0x{b:X2}"
                        : $"the octet count of a frame is followed by byte 0x{b:X2}, not SP");
                }

                if (b == (byte)'0' && digits == 0)
                {
                    throw new ProtocolException(ProtocolErrorCode.Protocol, "the octet count of a frame starts with 0");
                }

                var digit = b - '0';
                length = length > (long.MaxValue - digit) / 10 ? long.MaxValue : (length * 10) + digit;
                digits++;
                if (length > _maxMessageSize)
                {
                    // Known before the rest of the count, let alone the message, is buffered.
                    throw new MessageTooLargeException(_maxMessageSize, length);
                }
            }
        }

        return false;
    }
}
