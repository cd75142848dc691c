using System.Buffers;
using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Server;

namespace TcpMsg.Bench.Micro;

/// <summary>
/// The server's output per message: the tutorial's text line, and the JSON line, written into a
/// reused buffer as the output sink does. Each operation is one message.
/// </summary>
[Config(typeof(MicroConfig))]
public class FormatterBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private ReceivedMessage[] _messages = [];
    private TextEventFormatter _text = null!;
    private TextEventFormatter _chinese = null!;
    private JsonEventFormatter _json = null!;

    /// <summary>Message size in bytes.</summary>
    [Params(100, 1000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var connection = new ConnectionInfo("0HN1", new IPEndPoint(IPAddress.Loopback, 54321), new IPEndPoint(IPAddress.Loopback, 2023), DateTimeOffset.UtcNow);
        var text = MessageSamples.Text(Size);
        var bytes = System.Text.Encoding.UTF8.GetByteCount(text);
        _messages = [.. Enumerable.Range(0, MessageSamples.Lines).Select(_ => new ReceivedMessage(connection, DateTimeOffset.UtcNow, text, bytes, MessageFraming.Line))];
        _text = new TextEventFormatter(Strings.English, verbose: false);
        _chinese = new TextEventFormatter(new Strings(CultureInfo.GetCultureInfo("zh-CN")), verbose: false);
        _json = new JsonEventFormatter();
    }

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "text line (en)")]
    public int Text() => Write(_text);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "text line (zh)")]
    public int Chinese() => Write(_chinese);

    [Benchmark(OperationsPerInvoke = MessageSamples.Lines, Description = "JSON line")]
    public int Json() => Write(_json);

    private int Write(IEventFormatter formatter)
    {
        _output.ResetWrittenCount();
        foreach (var message in _messages)
        {
            formatter.Write(message, _output);
        }

        return _output.WrittenCount;
    }
}
