using System.IO.Pipelines;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A standard input the test writes to while the command runs (a pipe), and closes to end it.</summary>
public sealed class TestInput
{
    private readonly Pipe _pipe = new();

    public TestInput() => Stream = _pipe.Reader.AsStream();

    public Stream Stream { get; }

    public async Task WriteLineAsync(string line)
    {
        await _pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).AsTask().WithTimeout();
    }

    /// <summary>The end of input, as when a user presses Ctrl+D or a pipe closes.</summary>
    public void Close() => _pipe.Writer.Complete();
}
