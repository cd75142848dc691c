namespace TcpMsg.Cli.Output;

/// <summary>
/// The terminal, when standard input and output both are one: what the interactive chat needs
/// beyond streams (key presses as they are typed, the width of a line).
/// </summary>
internal interface ITerminal
{
    /// <summary>The terminal's width in columns.</summary>
    int Width { get; }

    /// <summary>Waits for the next key press, not echoed; null when there will be none (input closed).</summary>
    ConsoleKeyInfo? ReadKey();

    /// <summary>While on, Ctrl+C arrives as a key press instead of a signal.</summary>
    void SetKeyMode(bool on);
}
