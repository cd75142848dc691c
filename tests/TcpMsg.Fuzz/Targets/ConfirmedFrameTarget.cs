using System.Buffers.Binary;
using System.Buffers;
using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Testing;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// Confirmed-mode frames (issue 3, and issue 5's chat frames): <see cref="FrameReader"/> fed read by read as the server's session
/// feeds it, every frame's payload parsed by its type, checked against a model of the framing
/// (length, type, payload), the same in one read as in many, and only <see cref="ProtocolException"/>
/// for bad input. The frame limit is small, so a hostile declared length is always far over it.
/// </summary>
public sealed class ConfirmedFrameTarget : IFuzzTarget
{
    public string Name => "confirmed-frames";

    // Parsed strings (client id, name, reason, token) are bounded by the frame limit; never by a declared length.
    public long AllocationLimit(FuzzInput input) => 16 * 1024 + (8L * input.Parameter);

    public FuzzInput Generate(Random random)
    {
        var maxFrame = 16 + random.Next(512);
        var output = new ArrayBufferWriter<byte>();
        var frames = random.Next(7);
        for (var i = 0; i < frames; i++)
        {
            WriteFrame(output, random, maxFrame);
        }

        byte[] bytes = [.. output.WrittenSpan];
        bytes = random.Next(10) switch
        {
            < 4 => bytes,
            < 9 => Mutator.Mutate(bytes, random),
            _ => [.. bytes, .. RandomBytes(random, 64)],
        };
        return new FuzzInput(bytes, Mutator.Cuts(bytes.Length, random), maxFrame);
    }

    public string Run(FuzzInput input, AllocationMeter meter)
    {
        var once = Decode([input.Bytes], input.Parameter, meter);
        var split = Decode(input.Chunks(), input.Parameter, meter);
        if (!once.Frames.SequenceEqual(split.Frames) || once.Error != split.Error)
        {
            throw new FuzzFailureException($"one read and many disagree: {once.Frames.Count}/{once.Error} vs {split.Frames.Count}/{split.Error}");
        }

        var (expected, framingError) = Model(input.Bytes, input.Parameter);
        var decoded = once.Frames.Select(f => f.Split('|')[0] + "|" + f.Split('|')[1]).ToList();
        if (!decoded.SequenceEqual(expected.Take(decoded.Count)) || (once.Error is null && decoded.Count != expected.Count) || (once.Error == "frame" && !framingError))
        {
            throw new FuzzFailureException($"the model expects {expected.Count} frames (framing error: {framingError}); the decoder gave {decoded.Count} ({once.Error})");
        }

        return once.Error is null ? "frames" : once.Error == "frame" ? "bad frame" : "bad payload";
    }

    /// <summary>Frames as "type|payload hex|parse result"; stops at the first ProtocolException, as the session does.</summary>
    private static (List<string> Frames, string? Error) Decode(IReadOnlyList<ReadOnlyMemory<byte>> chunks, int maxFrame, AllocationMeter meter)
    {
        var frames = new List<string>();
        var pending = new List<ReadOnlyMemory<byte>>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = SegmentedSequence.Create(pending);
            var consumed = buffer.Start;
            while (true)
            {
                var slice = buffer.Slice(consumed);
                FrameType type;
                ReadOnlySequence<byte> payload;
                try
                {
                    bool found;
                    (found, type, payload, var next) = meter.Measure(() =>
                    {
                        var ok = FrameReader.TryReadFrame(slice, maxFrame, out var t, out var p, out var c);
                        return (ok, t, p, c);
                    });
                    if (!found)
                    {
                        break;
                    }

                    consumed = next;
                }
                catch (ProtocolException)
                {
                    return (frames, "frame");
                }

                if (payload.Length > maxFrame)
                {
                    throw new FuzzFailureException($"a payload of {payload.Length} bytes passed the frame limit of {maxFrame}");
                }

                try
                {
                    var parsed = meter.Measure(() => Parse(type, payload));
                    frames.Add($"{(byte)type}|{Convert.ToHexString(payload.ToArray())}|{parsed}");
                }
                catch (ProtocolException)
                {
                    return (frames, "payload");
                }
            }

            pending = [.. ChunksOf(buffer.Slice(consumed))];
        }

        return (frames, null);
    }

    private static string Parse(FrameType type, in ReadOnlySequence<byte> payload)
    {
        switch (type)
        {
            case FrameType.Hello:
                return HelloFrame.Parse(payload).ClientId;
            case FrameType.Message:
                var sequence = MessageFrame.Parse(payload, out var text);
                return $"{sequence}:{text.Length}";
            case FrameType.Ack:
                return AckFrame.Parse(payload).ToString();
            case FrameType.Error:
                return ErrorFrame.Parse(payload).Code.ToString();
            case FrameType.Welcome:
                return WelcomeFrame.Parse(payload).LastSequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case FrameType.Deliver:
                var deliver = DeliverFrame.Parse(payload);
                return $"{deliver.Id}:{deliver.Name.Length}:{deliver.Text.Length}";
            case FrameType.Notice:
                var notice = NoticeFrame.Parse(payload);
                return $"{notice.Kind}:{notice.Members?.Count ?? 0}";
            case FrameType.Command:
                return CommandFrame.Parse(payload).Kind.ToString();
            default:
                GoodbyeFrame.Parse(payload);
                return "goodbye";
        }
    }

    /// <summary>The framing alone, read by hand: "type|payload hex" per complete frame, and whether a header is invalid.</summary>
    private static (List<string> Frames, bool FramingError) Model(byte[] bytes, int maxFrame)
    {
        var frames = new List<string>();
        var at = 0;
        while (bytes.Length - at >= 5)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            var type = bytes[at + 4];
            if (length == 0 || length > (uint)maxFrame || type < (byte)FrameType.Hello || type > (byte)FrameType.Command)
            {
                return (frames, true);
            }

            if (bytes.Length - at - 4 < length)
            {
                break;
            }

            frames.Add($"{type}|{Convert.ToHexString(bytes.AsSpan(at + 5, (int)length - 1))}");
            at += 4 + (int)length;
        }

        return (frames, false);
    }

    private static void WriteFrame(ArrayBufferWriter<byte> output, Random random, int maxFrame)
    {
        var text = Encoding.UTF8.GetString(RandomBytes(random, Math.Max(1, maxFrame / 4)));
        switch (random.Next(9))
        {
            case 0: new HelloFrame(1, $"client-{random.Next(1000)}", (uint)random.Next(), random.Next(2) == 0 ? null : "name").Write(output); break;
            case 1: MessageFrame.Write(output, random.NextInt64(long.MaxValue), text.Length * 3 > maxFrame - 16 ? "m" : text); break;
            case 2: new AckFrame(random.NextInt64(long.MaxValue), random.NextInt64(long.MaxValue)).Write(output); break;
            case 3: new ErrorFrame(random.NextInt64(1000), (ProtocolErrorCode)random.Next(8), "reason").Write(output); break;
            case 4: new WelcomeFrame(1, random.NextInt64(long.MaxValue), maxFrame, (uint)random.Next(2), random.Next(2) == 0 ? null : "chat name").Write(output); break;
            case 5: new DeliverFrame(random.NextInt64(long.MaxValue), DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(1L << 55)), "sender", text.Length * 3 > maxFrame - 40 ? "d" : text, random.Next(2) == 0).Write(output); break;
            case 6: new NoticeFrame((NoticeKind)random.Next(1, 9), (uint)random.Next(), "name", Members: random.Next(2) == 0 ? null : ["a", "b"], Count: random.Next(), Reason: "why").Write(output); break;
            case 7: new CommandFrame((uint)random.Next(), (ChatCommandKind)random.Next(1, 5), random.Next(2) == 0 ? "" : "nick").Write(output); break;
            default: GoodbyeFrame.Write(output); break;
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

    private static byte[] RandomBytes(Random random, int max)
    {
        var bytes = new byte[random.Next(max + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
