using System.Text;

namespace TcpMsg.Cli.Output;

/// <summary>
/// Standard error on a terminal with one status line at its bottom: <see cref="Show"/> rewrites it in
/// place (carriage return, erase to the end of the line), and every other line written through this
/// writer first erases it and then draws it again below, so that progress and diagnostics never
/// garble each other.
/// </summary>
internal sealed class StatusLine : TextWriter
{
    private const string Erase = "\r\u001b[K";

    private readonly TextWriter _terminal;
    private readonly Lock _lock = new();
    private string? _status;

    public StatusLine(TextWriter terminal) => _terminal = terminal;

    public override Encoding Encoding => _terminal.Encoding;

    /// <summary>Replaces the status line.</summary>
    public void Show(string status)
    {
        lock (_lock)
        {
            _status = status;
            _terminal.Write(Erase + status);
            _terminal.Flush();
        }
    }

    /// <summary>Erases the status line for good.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (_status is not null)
            {
                _status = null;
                _terminal.Write(Erase);
                _terminal.Flush();
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _terminal.Write(_status is null ? value + "\n" : Erase + value + "\n" + _status);
            _terminal.Flush();
        }
    }

    public override void Write(char value) => WriteLine(value.ToString());

    public override void Write(string? value)
    {
        if (value is not null)
        {
            WriteLine(value.TrimEnd('\n'));
        }
    }
}
