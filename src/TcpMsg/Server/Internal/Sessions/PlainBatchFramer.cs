using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Frames one plain-mode read into a <see cref="MessageBatch"/>. Lines that lie whole in one segment
/// of the read are framed together: the segment's complete lines are checked as UTF-8 in one pass and
/// copied in one piece, and only their offsets are recorded. Everything else (a line across segments,
/// the last message at FIN, <see cref="PlainFraming.Whole"/>, a read limited by a rate) goes through
/// <see cref="PlainMessageReader"/> one message at a time, with the same result; so does an
/// octet-counted syslog connection (<see cref="DetectingMessageReader"/>).
/// </summary>
internal struct PlainBatchFramer
{
    private const byte Lf = (byte)'\n';

    private DetectingMessageReader _reader;

    /// <param name="framing">The framing of a connection that is not octet-counted syslog.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes.</param>
    /// <param name="detect">Whether octet-counted syslog is detected (<see cref="DetectingMessageReader"/>); its frames go one at a time.</param>
    public PlainBatchFramer(PlainFraming framing, long maxMessageSize, bool detect = false) =>
        _reader = new DetectingMessageReader(framing, maxMessageSize, detect);

    /// <summary>
    /// Adds the messages at the start of <paramref name="input"/> to <paramref name="batch"/>, at most
    /// <paramref name="allowance"/> of them. Stops early at a message the caller must handle itself,
    /// returned in <paramref name="pending"/> (and consumed): one that is not valid UTF-8, or, with
    /// <paramref name="stopAtSlash"/>, one that starts with "/" (a chat member's command).
    /// </summary>
    /// <exception cref="MessageTooLargeException">A message is longer than the maximum; the ones before it were added.</exception>
    public PlainFrameResult Frame(
        in ReadOnlySequence<byte> input,
        bool isFinal,
        MessageBatch batch,
        long allowance,
        string? sender,
        bool stopAtSlash,
        out ReadOnlySequence<byte> pending,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        pending = default;
        consumed = input.Start;
        examined = input.End;
        var bulk = _reader.Framing == PlainFraming.Lines && !stopAtSlash && allowance == long.MaxValue;
        var added = 0L;
        while (true)
        {
            if (added >= allowance)
            {
                examined = consumed;
                return PlainFrameResult.Limited;
            }

            if (batch.IsFull)
            {
                return PlainFrameResult.Full;
            }

            var rest = input.Slice(consumed);

            // Until the first bytes tell whether it is octet-counted syslog, and then if it is, one at a time.
            if (bulk && _reader.Detected == FramingDetection.Lines && FrameLines(rest.FirstSpan, batch, sender) is var taken and > 0)
            {
                consumed = rest.GetPosition(taken);
                continue;
            }

            if (!_reader.TryReadMessage(rest, isFinal, out var message, out consumed, out examined))
            {
                return PlainFrameResult.NeedMoreData;
            }

            if ((stopAtSlash && FirstByte(message) == (byte)'/') || !batch.TryAdd(message, sender))
            {
                pending = message;
                return PlainFrameResult.Pending;
            }

            added++;
        }
    }

    /// <summary>
    /// The complete lines of one segment, together, as many as the batch has room for; 0 when there is
    /// none, or when they are not valid UTF-8.
    /// </summary>
    private int FrameLines(ReadOnlySpan<byte> span, MessageBatch batch, string? sender)
    {
        var room = batch.Room;
        var last = (span.Length > room ? span[..room] : span).LastIndexOf(Lf);
        if (last < 0)
        {
            return 0;
        }

        // LF is ASCII: a region that ends with one is valid UTF-8 exactly when each of its lines is.
        var region = span[..(last + 1)];
        if (!Utf8Validation.IsValid(region))
        {
            return 0;
        }

        var lines = new BatchLines(batch, batch.AppendBytes(region), sender);
        return _reader.ReadLines(region, ref lines);
    }

    private static byte FirstByte(in ReadOnlySequence<byte> bytes) => bytes.FirstSpan.IsEmpty ? bytes.Slice(0, 1).FirstSpan[0] : bytes.FirstSpan[0];

    /// <summary>Records each line of a region already copied into the batch at <c>offset</c>.</summary>
    private readonly ref struct BatchLines : ILineTarget
    {
        private readonly MessageBatch _batch;
        private readonly int _offset;
        private readonly string? _sender;

        public BatchLines(MessageBatch batch, int offset, string? sender)
        {
            _batch = batch;
            _offset = offset;
            _sender = sender;
        }

        public void OnLine(int start, int length) => _batch.AddCopied(_offset + start, length, _sender);
    }
}
