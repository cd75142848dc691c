using System.Buffers;
using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Protocol;
using TcpMsg.Server;
using TcpMsg.Server.Internal;

namespace TcpMsg.Bench.Micro;

/// <summary>
/// Plain mode from the socket's bytes to the output, as the server runs it: each 4 KiB read (a pipe's
/// block) is framed into one pooled batch (<see cref="PlainBatchFramer"/>), the batches go to the
/// dispatcher's view (<see cref="ServerEventBatch"/>) and the output sink formats them as UTF-8 into
/// its buffer and flushes it to a stream. Target: 0 bytes allocated per message. Each operation is one
/// message (1,000 lines per invocation).
/// </summary>
[Config(typeof(MicroConfig))]
public class MessagePathBenchmarks
{
    private readonly MessageBatchPool _pool = new();
    private readonly List<PipelineItem> _items = [];
    private readonly ServerEventBatch _view = new();
    private readonly ConnectionInfo _connection = new("0HN1", new IPEndPoint(IPAddress.Loopback, 54321), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);
    private ReadOnlySequence<byte> _stream;
    private SequencePosition[] _reads = [];
    private ServerOutputSink _english = null!;
    private ServerOutputSink _chinese = null!;
    private ServerOutputSink _json = null!;

    /// <summary>Message size in bytes, line end not counted.</summary>
    [Params(100, 1000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The stream in the pipe's 4 KiB segments; each read ends where a segment ends.
        _stream = MessageSamples.Segmented(MessageSamples.Stream(Size));
        var reads = new List<SequencePosition>();
        for (var end = 4096L; end < _stream.Length; end += 4096)
        {
            reads.Add(_stream.GetPosition(end));
        }

        reads.Add(_stream.End);
        _reads = [.. reads];
        _english = Sink(new TextEventFormatter(Strings.English, verbose: false));
        _chinese = Sink(new TextEventFormatter(new Strings(CultureInfo.GetCultureInfo("zh-CN")), verbose: false));
        _json = Sink(new JsonEventFormatter());
    }

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame -> batch -> text line (en)")]
    public ValueTask English() => RunAsync(_english);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame -> batch -> text line (zh)")]
    public ValueTask Chinese() => RunAsync(_chinese);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "frame -> batch -> JSON line")]
    public ValueTask Json() => RunAsync(_json);

    private async ValueTask RunAsync(ServerOutputSink sink)
    {
        var framer = new PlainBatchFramer(PlainFraming.Lines, 1024 * 1024);
        var consumed = _stream.Start;
        foreach (var end in _reads)
        {
            var buffer = _stream.Slice(consumed, end);
            var batch = _pool.Rent(_connection, DateTimeOffset.UtcNow, MessageFraming.Line);
            framer.Frame(buffer, false, batch, long.MaxValue, null, false, out _, out consumed, out _);
            _items.Add(new PipelineItem(batch));
        }

        // The dispatcher's part: the view of the batches, the sink, the batches back to the pool.
        MessagePipeline.Visible(_items, _view);
        await sink.OnBatchAsync(_view, CancellationToken.None).ConfigureAwait(false);
        _view.Clear();
        foreach (var item in _items)
        {
            _pool.Return(item.Messages!);
        }

        _items.Clear();
    }

    private static ServerOutputSink Sink(IEventFormatter formatter) =>
        new(formatter, new TextEventFormatter(Strings.English, verbose: false), new NullConsole(), _ => { });

    /// <summary>Standard output is a stream that keeps nothing: what is measured is the path, not a disk.</summary>
    private sealed class NullConsole : ICliConsole
    {
        public Stream Out { get; } = Stream.Null;

        public TextWriter Error { get; } = TextWriter.Null;

        public Stream In { get; } = Stream.Null;

        public bool IsInputRedirected => true;

        public ITerminal? Terminal => null;
    }
}
