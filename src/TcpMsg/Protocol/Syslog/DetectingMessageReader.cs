using System.Buffers;

namespace TcpMsg.Protocol;

/// <summary>
/// Frames one plain connection whose framing is detected: octet-counted syslog (RFC 6587) when its first
/// bytes look like one (<see cref="OctetCountingDetector"/>), otherwise the configured plain framing.
/// Nothing is consumed until the decision is made, so no byte of a plain first line is lost.
/// </summary>
internal struct DetectingMessageReader
{
    private PlainMessageReader _plain;
    private OctetCountingReader _octets;
    private FramingDetection _detected;

    /// <param name="framing">The framing of a connection that is not octet-counted.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes.</param>
    /// <param name="detect">False: no detection, always <paramref name="framing"/> (<c>--syslog off</c>).</param>
    public DetectingMessageReader(PlainFraming framing, long maxMessageSize, bool detect = true)
    {
        _plain = new PlainMessageReader(framing, maxMessageSize);
        _octets = new OctetCountingReader(maxMessageSize);
        _detected = detect ? FramingDetection.Undecided : FramingDetection.Lines;
    }

    /// <summary>What the connection turned out to be; <see cref="FramingDetection.Undecided"/> before its first bytes.</summary>
    public readonly FramingDetection Detected => _detected;

    /// <summary>Same contract as <see cref="PlainMessageReader.TryReadMessage"/>.</summary>
    /// <exception cref="MessageTooLargeException">A message or a frame's count is over the maximum.</exception>
    /// <exception cref="ProtocolException">An octet-counted connection sent a bad count or ended inside a frame.</exception>
    public bool TryReadMessage(
        in ReadOnlySequence<byte> input,
        bool isFinal,
        out ReadOnlySequence<byte> message,
        out SequencePosition consumed,
        out SequencePosition examined)
    {
        if (_detected == FramingDetection.Undecided)
        {
            _detected = OctetCountingDetector.Detect(input, isFinal);
            if (_detected == FramingDetection.Undecided)
            {
                message = default;
                consumed = input.Start;
                examined = input.End;
                return false;
            }
        }

        return _detected == FramingDetection.OctetCounted
            ? _octets.TryReadMessage(input, isFinal, out message, out consumed, out examined)
            : _plain.TryReadMessage(input, isFinal, out message, out consumed, out examined);
    }
}
