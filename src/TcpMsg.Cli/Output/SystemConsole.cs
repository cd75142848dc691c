using System.Text;

namespace TcpMsg.Cli.Output;

/// <summary>The process's real standard streams.</summary>
internal sealed class SystemConsole : ICliConsole
{
    private readonly Lazy<Stream> _out = new(Console.OpenStandardOutput);
    private readonly Lazy<Stream> _in = new(() => StandardInputState.WasClosedAtStart ? Stream.Null : Console.OpenStandardInput());
    private readonly Lazy<ITerminal> _terminal = new(() => new SystemTerminal());
    private readonly Lazy<TextWriter> _error = new(() =>
        TextWriter.Synchronized(new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true }));

    public Stream Out => _out.Value;

    public TextWriter Error => _error.Value;

    public Stream In => _in.Value;

    public bool IsInputClosed => StandardInputState.WasClosedAtStart;

    public bool IsInputRedirected => StandardInputState.WasClosedAtStart || Console.IsInputRedirected;

    public bool IsErrorTerminal => !Console.IsErrorRedirected;

    public ITerminal? Terminal => !IsInputRedirected && !Console.IsOutputRedirected ? _terminal.Value : null;
}
