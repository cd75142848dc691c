using System.Text;

namespace TcpMsg.Cli.Output;

/// <summary>The process's real standard streams.</summary>
internal sealed class SystemConsole : ICliConsole
{
    private readonly Lazy<Stream> _out = new(Console.OpenStandardOutput);
    private readonly Lazy<Stream> _in = new(Console.OpenStandardInput);
    private readonly Lazy<ITerminal> _terminal = new(() => new SystemTerminal());
    private readonly Lazy<TextWriter> _error = new(() =>
        TextWriter.Synchronized(new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true }));

    public Stream Out => _out.Value;

    public TextWriter Error => _error.Value;

    public Stream In => _in.Value;

    public bool IsInputRedirected => Console.IsInputRedirected;

    public ITerminal? Terminal => !Console.IsInputRedirected && !Console.IsOutputRedirected ? _terminal.Value : null;
}
