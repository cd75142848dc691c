using System.Net;
using TcpMsg.Protocol;
using TcpMsg.Testing;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// <see cref="ProxyProtocolReader"/> on valid, mutated and random headers, checked for: the same verdict
/// and header as an independent model of the specification (<see cref="ProxyHeaderModel"/>); the same
/// answer in one read as in many; a decoded address that encodes and decodes to itself; only
/// <see cref="ProxyProtocolException"/> for bad input.
/// </summary>
public sealed class ProxyHeaderTarget : IFuzzTarget
{
    private static readonly byte[] s_v2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public string Name => "proxy-header";

    // The result (a record and two endpoints) or one exception with its message and stack trace; never
    // anything sized by a declared length (a v2 header may declare 65,535 bytes).
    public long AllocationLimit(FuzzInput input) => 8192;

    public FuzzInput Generate(Random random)
    {
        var bytes = random.Next(20) switch
        {
            < 6 => Valid(random),
            < 17 => Mutator.Mutate(Valid(random), random),
            < 19 => [.. (random.Next(2) == 0 ? "PROXY "u8.ToArray() : s_v2Signature), .. RandomBytes(random, 120)],
            _ => RandomBytes(random, 200),
        };
        return new FuzzInput(bytes, Mutator.Cuts(bytes.Length, random), 0);
    }

    public string Run(FuzzInput input, AllocationMeter meter)
    {
        var once = Decode([input.Bytes], meter);
        var split = Decode(input.Chunks(), meter);
        var (verdict, modelHeader) = ProxyHeaderModel.Judge(input.Bytes);
        var decoderVerdict = once.Error is not null ? ProxyHeaderModel.Verdict.Invalid : once.Header is null ? ProxyHeaderModel.Verdict.Incomplete : ProxyHeaderModel.Verdict.Valid;
        if (verdict != decoderVerdict || modelHeader != once.Header)
        {
            throw new FuzzFailureException($"the model says {verdict} {modelHeader}, the decoder {decoderVerdict} {once.Header} {once.Error}");
        }

        if (once.Header != split.Header || once.Consumed != split.Consumed || (once.Error is null) != (split.Error is null))
        {
            throw new FuzzFailureException($"one read and many disagree: {once} / {split}");
        }

        if (once.Consumed > Math.Min(input.Bytes.Length, ProxyProtocolReader.MaxV2Length) ||
            (once.Header is { Version: 1 } && once.Consumed > ProxyProtocolReader.MaxV1Length))
        {
            throw new FuzzFailureException($"consumed {once.Consumed} bytes of {input.Bytes.Length}");
        }

        if (once.Header is { Source: { } source, Destination: { } destination } header)
        {
            var again = header.Version == 1 ? ProxyHeaderWriter.V1(source, destination) : ProxyHeaderWriter.V2(source, destination);
            var reread = Decode([again], new AllocationMeter());
            if (reread.Header?.Source?.Equals(source) != true || reread.Header.Destination?.Equals(destination) != true)
            {
                throw new FuzzFailureException($"{source} -> {destination} does not survive encoding and decoding");
            }
        }

        return once.Error is not null ? "rejected" : once.Header is null ? "needs more" : $"v{once.Header.Version} {once.Header.Command}";
    }

    private static Outcome Decode(IReadOnlyList<ReadOnlyMemory<byte>> chunks, AllocationMeter meter)
    {
        var pending = new List<ReadOnlyMemory<byte>>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = SegmentedSequence.Create(pending);
            try
            {
                var (found, header, consumed) = meter.Measure(() =>
                {
                    var ok = ProxyProtocolReader.TryRead(buffer, out var h, out var c, out _);
                    return (ok, h, c);
                });
                if (found)
                {
                    return new Outcome(header, buffer.Slice(0, consumed).Length, null);
                }
            }
            catch (ProxyProtocolException ex)
            {
                return new Outcome(null, 0, ex.Message);
            }
        }

        return new Outcome(null, 0, null);
    }

    private static byte[] Valid(Random random)
    {
        var v6 = random.Next(2) == 0;
        var source = new IPEndPoint(new IPAddress(RandomBytes(random, v6 ? 16 : 4, exact: true)), random.Next(65536));
        var destination = new IPEndPoint(new IPAddress(RandomBytes(random, v6 ? 16 : 4, exact: true)), random.Next(65536));
        return random.Next(5) switch
        {
            0 => ProxyHeaderWriter.V1(source, destination),
            1 => ProxyHeaderWriter.V1Unknown(),
            2 => ProxyHeaderWriter.V2(null, null),
            _ => ProxyHeaderWriter.V2(
                source,
                destination,
                [.. Enumerable.Range(0, random.Next(4)).Select(_ => ((byte)(4 + random.Next(250)), RandomBytes(random, 40)))],
                crc: random.Next(3) == 0),
        };
    }

    private static byte[] RandomBytes(Random random, int max, bool exact = false)
    {
        var bytes = new byte[exact ? max : random.Next(max + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed record Outcome(ProxyHeader? Header, long Consumed, string? Error);
}
