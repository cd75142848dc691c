namespace TcpMsg.Cli.Output;

/// <summary>
/// Everything the tool reads from and writes to the terminal, in one place, so tests can run commands
/// in-process with their output captured.
/// </summary>
internal interface ICliConsole
{
    /// <summary>Standard output as bytes (messages are written as UTF-8 in batches).</summary>
    Stream Out { get; }

    /// <summary>Standard error, for diagnostics.</summary>
    TextWriter Error { get; }

    /// <summary>Standard input as bytes.</summary>
    Stream In { get; }

    /// <summary>True when the process was started with standard input closed: there is no input at all.</summary>
    bool IsInputClosed => false;

    /// <summary>True when standard input is not a terminal.</summary>
    bool IsInputRedirected { get; }

    /// <summary>True when standard error is a terminal: progress may be drawn on it.</summary>
    bool IsErrorTerminal => false;

    /// <summary>The terminal, when standard input and output both are one; else null (work line by line).</summary>
    ITerminal? Terminal { get; }
}
