namespace TcpMsg.Cli.Output;

/// <summary>How the server prints events.</summary>
internal enum OutputFormat
{
    /// <summary>The tutorial's lines, localized.</summary>
    Text,

    /// <summary>One JSON object per event and line.</summary>
    Json,
}
