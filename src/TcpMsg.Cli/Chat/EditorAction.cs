namespace TcpMsg.Cli.Chat;

/// <summary>What a key press did to the input line.</summary>
internal enum EditorAction
{
    /// <summary>Nothing visible.</summary>
    None,

    /// <summary>The line or the cursor changed: draw it again.</summary>
    Changed,

    /// <summary>Enter: the line is ready (<see cref="LineEditor.Take"/>).</summary>
    Submit,

    /// <summary>Ctrl+C, or Ctrl+D on an empty line: leave.</summary>
    Leave,
}
