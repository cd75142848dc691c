using System.Buffers;
using BenchmarkDotNet.Attributes;
using TcpMsg.Protocol;

namespace TcpMsg.Bench.Micro;

/// <summary>
/// The plain-mode read path per message: <see cref="PlainMessageReader"/> cuts a line, then
/// <see cref="Utf8MessageDecoder"/> decodes it. Target: no allocation per message beyond its string.
/// Each operation is one message (1,000 lines per invocation).
/// </summary>
[Config(typeof(MicroConfig))]
public class PlainFramingBenchmarks
{
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;

    /// <summary>Message size in bytes, line end not counted.</summary>
    [Params(100, 1000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bytes = MessageSamples.Stream(Size);
        _contiguous = new ReadOnlySequence<byte>(bytes);
        _segmented = MessageSamples.Segmented(bytes);
    }

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame only, one segment")]
    public long FrameContiguous() => Frame(_contiguous, decode: false);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame only, 4 KiB segments")]
    public long FrameSegmented() => Frame(_segmented, decode: false);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame + decode, one segment")]
    public long FrameAndDecodeContiguous() => Frame(_contiguous, decode: true);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame + decode, 4 KiB segments")]
    public long FrameAndDecodeSegmented() => Frame(_segmented, decode: true);

    private static long Frame(ReadOnlySequence<byte> input, bool decode)
    {
        var reader = new PlainMessageReader(PlainFraming.Lines, 1024 * 1024);
        long total = 0;
        while (reader.TryReadMessage(input, isFinal: false, out var message, out var consumed, out _))
        {
            total += decode ? Utf8MessageDecoder.Decode(message, out _).Length : message.Length;
            input = input.Slice(consumed);
        }

        return total;
    }
}
