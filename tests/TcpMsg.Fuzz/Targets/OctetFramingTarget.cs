using System.Buffers;
using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Testing;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// <see cref="DetectingMessageReader"/> fed read by read like a plain session feeds it, checked against
/// <see cref="OctetFramingModel"/>: the same framing decision, the same messages, and the same error
/// (too large, or a protocol error for a bad count or a frame cut short) after exactly those messages.
/// </summary>
public sealed class OctetFramingTarget : IFuzzTarget
{
    private static readonly string[] s_bodies = ["<13>1 - - - - - - x", "<14>Dec  3 16:47:10 vm app[1]: 你好", "<0>", "a\nb", "\r\n", "🙂", "<191>"];

    public string Name => "octet-framing";

    // Like the plain reader: nothing but one exception (with its message and stack trace).
    public long AllocationLimit(FuzzInput input) => 16 * 1024;

    public FuzzInput Generate(Random random)
    {
        var max = random.Next(4) == 0 ? 1 + random.Next(8) : 1 + random.Next(256);
        var bytes = new List<byte>();
        if (random.Next(5) == 0)
        {
            // A plain connection whose first line starts with digits.
            bytes.AddRange(Encoding.UTF8.GetBytes($"{random.Next(100000)} {(random.Next(2) == 0 ? "was a year" : "<b>")}\n"));
        }

        var frames = random.Next(12);
        for (var i = 0; i < frames; i++)
        {
            var body = Encoding.UTF8.GetBytes(s_bodies[random.Next(s_bodies.Length)] + new string('x', random.Next(4) == 0 ? random.Next(2 * max) : 0));
            var count = random.Next(12) switch
            {
                0 => body.Length + 1 - random.Next(3),
                1 => random.Next(1000),
                _ => body.Length,
            };
            bytes.AddRange(Encoding.ASCII.GetBytes($"{(random.Next(30) == 0 ? "0" : string.Empty)}{count} "));
            bytes.AddRange(body);
            if (random.Next(4) == 0)
            {
                bytes.AddRange(random.Next(2) == 0 ? "\n"u8.ToArray() : "\r\n"u8.ToArray());
            }
        }

        byte[] array = random.Next(3) == 0 ? Mutator.Mutate([.. bytes], random) : [.. bytes];
        return new FuzzInput(array, Mutator.Cuts(array.Length, random), max);
    }

    public string Run(FuzzInput input, AllocationMeter meter)
    {
        var (expected, outcome, octetCounted) = OctetFramingModel.Frame(input.Bytes, input.Parameter);
        var (actual, actualOutcome, detected) = Decode(input, meter);
        if (actualOutcome != outcome)
        {
            throw new FuzzFailureException($"outcome: expected {outcome}, got {actualOutcome}");
        }

        if (detected != (octetCounted ? FramingDetection.OctetCounted : FramingDetection.Lines))
        {
            throw new FuzzFailureException($"detected {detected}, the model says octet-counted {octetCounted}");
        }

        if (actual.Count != expected.Count || actual.Zip(expected).Any(p => !p.First.AsSpan().SequenceEqual(p.Second)))
        {
            throw new FuzzFailureException($"messages differ: expected {expected.Count}, got {actual.Count}");
        }

        return $"{(octetCounted ? "octets" : "lines")}: {outcome}";
    }

    private static (List<byte[]> Messages, OctetFramingModel.Outcome Outcome, FramingDetection Detected) Decode(FuzzInput input, AllocationMeter meter)
    {
        var reader = new DetectingMessageReader(PlainFraming.Lines, input.Parameter);
        var messages = new List<byte[]>();
        var chunks = input.Chunks();
        var pending = new List<ReadOnlyMemory<byte>>();
        for (var read = 0; read <= chunks.Count; read++)
        {
            var isFinal = read == chunks.Count;
            if (!isFinal)
            {
                pending.Add(chunks[read]);
            }

            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            try
            {
                while (true)
                {
                    var slice = buffer.Slice(consumed);
                    var (found, message, next, examined) = meter.Measure(() =>
                    {
                        var ok = reader.TryReadMessage(slice, isFinal, out var m, out var c, out var e);
                        return (ok, m, c, e);
                    });
                    if (buffer.Slice(next).Length < buffer.Slice(examined).Length)
                    {
                        throw new FuzzFailureException("consumed went past examined");
                    }

                    consumed = next;
                    if (!found)
                    {
                        break;
                    }

                    if (message.IsEmpty || message.Length > input.Parameter)
                    {
                        throw new FuzzFailureException($"a message of {message.Length} bytes against the limit of {input.Parameter}");
                    }

                    messages.Add(message.ToArray());
                }
            }
            catch (MessageTooLargeException ex) when (ex.Limit == input.Parameter && ex.ObservedBytes > input.Parameter)
            {
                return (messages, OctetFramingModel.Outcome.TooLarge, reader.Detected);
            }
            catch (ProtocolException ex) when (ex.WireCode == ProtocolErrorCode.Protocol && reader.Detected == FramingDetection.OctetCounted)
            {
                return (messages, OctetFramingModel.Outcome.Protocol, reader.Detected);
            }

            pending = [.. SegmentedSequence.Chunks(buffer.Slice(consumed))];
        }

        return pending.Count == 0
            ? (messages, OctetFramingModel.Outcome.Ok, reader.Detected)
            : throw new FuzzFailureException($"{pending.Sum(p => p.Length)} bytes left after the final read");
    }
}
