using System.Text;
using TcpMsg.Cli.Output;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A console whose output the test reads and waits on; input is given up front.</summary>
internal sealed class TestConsole : ICliConsole
{
    private readonly CapturedStream _out = new();
    private readonly CapturedWriter _error = new();

    public TestConsole(string input = "") => In = new MemoryStream(Encoding.UTF8.GetBytes(input));

    /// <summary>A console whose input the test writes as it goes (a pipe), for commands that read it while they run.</summary>
    public TestConsole(Stream input) => In = input;

    public Stream Out => _out;

    public TextWriter Error => _error;

    public Stream In { get; }

    public bool IsInputRedirected => true;

    /// <summary>Null: the commands work line by line, unless a test gives a terminal.</summary>
    public ITerminal? Terminal { get; set; }

    public byte[] OutBytes => _out.Snapshot();

    public string OutText => Encoding.UTF8.GetString(OutBytes);

    public string ErrorText => _error.Snapshot();

    public string[] OutLines => OutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public Task WaitForOutputAsync(Func<string, bool> condition, string what) =>
        Eventually.UntilAsync(() => condition(OutText), what);

    public Task WaitForErrorAsync(Func<string, bool> condition, string what) =>
        Eventually.UntilAsync(() => condition(ErrorText), what);

    private sealed class CapturedStream : Stream
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _buffer = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Snapshot()
        {
            lock (_lock)
            {
                return _buffer.ToArray();
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                _buffer.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class CapturedWriter : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Snapshot()
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                _text.Append(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                _text.Append(value).Append('\n');
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
