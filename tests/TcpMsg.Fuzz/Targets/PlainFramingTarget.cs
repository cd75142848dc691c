using System.Buffers;
using TcpMsg.Protocol;
using TcpMsg.Testing;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// <see cref="PlainMessageReader"/> fed read by read like the connection handler feeds it, checked
/// against a model of the framing: split at LF, drop one CR before it, skip empty lines, the rest at
/// FIN is a last message, and the first line over the limit ends the stream with
/// <see cref="MessageTooLargeException"/> after exactly the messages before it.
/// </summary>
internal sealed class PlainFramingTarget : IFuzzTarget
{
    private static readonly byte[][] s_pieces =
    [
        "\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray(), "a"u8.ToArray(), "hello"u8.ToArray(),
        "你好"u8.ToArray(), "🙂"u8.ToArray(), [0xE4, 0xBD], [0xFF], [0x00], [0x80],
    ];

    private readonly PlainFraming _framing;

    public PlainFramingTarget(PlainFraming framing) => _framing = framing;

    public string Name => _framing == PlainFraming.Lines ? "plain-lines" : "plain-whole";

    // The reader is a struct that scans in place: it allocates only its exception (with its message and
    // stack trace, about 2 KiB) when a message is too large, never anything sized by the input.
    // Room for one exception (a message over the limit throws, and a thrown exception captures its stack).
    public long AllocationLimit(FuzzInput input) => 16 * 1024;

    public FuzzInput Generate(Random random)
    {
        var max = random.Next(4) == 0 ? 1 + random.Next(4) : 1 + random.Next(256);
        var bytes = new List<byte>();
        var pieces = random.Next(60);
        for (var i = 0; i < pieces; i++)
        {
            switch (random.Next(25))
            {
                case 0: bytes.AddRange(Enumerable.Repeat((byte)'x', random.Next(2 * max + 3))); break; // around the limit
                case 1: bytes.Add((byte)random.Next(256)); break;
                default: bytes.AddRange(s_pieces[random.Next(s_pieces.Length)]); break;
            }
        }

        byte[] array = [.. bytes];
        return new FuzzInput(array, Mutator.Cuts(array.Length, random), max);
    }

    public string Run(FuzzInput input, AllocationMeter meter)
    {
        var (expected, expectTooLarge) = Model(input.Bytes, input.Parameter);
        var (actual, tooLarge) = Decode(input, meter);
        if (tooLarge != expectTooLarge)
        {
            throw new FuzzFailureException($"too large: expected {expectTooLarge}, got {tooLarge}");
        }

        if (actual.Count != expected.Count || actual.Zip(expected).Any(p => !p.First.AsSpan().SequenceEqual(p.Second)))
        {
            throw new FuzzFailureException($"messages differ: expected {expected.Count}, got {actual.Count}");
        }

        return tooLarge ? "too large" : actual.Count == 0 ? "no message" : "messages";
    }

    private (List<byte[]> Messages, bool TooLarge) Decode(FuzzInput input, AllocationMeter meter)
    {
        var reader = new PlainMessageReader(_framing, input.Parameter);
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
                    CheckPositions(buffer, consumed, next, examined);
                    consumed = next;
                    if (!found)
                    {
                        break;
                    }

                    if (message.Length > input.Parameter)
                    {
                        throw new FuzzFailureException($"a message of {message.Length} bytes passed the limit of {input.Parameter}");
                    }

                    messages.Add(message.ToArray());
                }
            }
            catch (MessageTooLargeException ex) when (ex.Limit == input.Parameter && ex.ObservedBytes > input.Parameter)
            {
                return (messages, true);
            }

            pending = [.. ChunksOf(buffer.Slice(consumed))];
        }

        return pending.Count == 0 ? (messages, false) : throw new FuzzFailureException($"{pending.Sum(p => p.Length)} bytes left after the final read");
    }

    private static void CheckPositions(in ReadOnlySequence<byte> buffer, SequencePosition from, SequencePosition consumed, SequencePosition examined)
    {
        var start = buffer.Slice(buffer.Start, from).Length;
        var end = buffer.Slice(buffer.Start, consumed).Length;
        if (end < start || buffer.Slice(buffer.Start, examined).Length < end)
        {
            throw new FuzzFailureException("consumed went backwards or past examined");
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> ChunksOf(ReadOnlySequence<byte> sequence)
    {
        foreach (var memory in sequence)
        {
            if (!memory.IsEmpty)
            {
                yield return memory;
            }
        }
    }

    private (List<byte[]> Messages, bool TooLarge) Model(byte[] bytes, int max)
    {
        var messages = new List<byte[]>();
        if (_framing == PlainFraming.Whole)
        {
            return bytes.Length > max ? (messages, true) : (bytes.Length == 0 ? messages : [bytes], false);
        }

        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] != (byte)'\n')
            {
                continue;
            }

            var end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
            if (end - start > max)
            {
                return (messages, true);
            }

            if (end > start)
            {
                messages.Add(bytes[start..end]);
            }

            start = i + 1;
        }

        return (messages, false);
    }
}
