using System.Text;
using TcpMsg.Cli.Localization;

namespace TcpMsg.Cli;

/// <summary>
/// The reference part of docs/cli.md: the help of every command, from the same definitions and the
/// same writer as <c>--help</c>, so it cannot drift from the tool (a test compares the committed file).
/// </summary>
internal static class CliDocs
{
    /// <summary>The line in docs/cli.md after which everything is generated.</summary>
    public const string Marker = "<!-- Generated from the command definitions by CliDocs.Reference; do not edit below. -->";

    /// <summary>The width the reference is wrapped to.</summary>
    public const int Width = 100;

    public static string Reference(CliApplication app)
    {
        var root = app.BuildRoot(app.AllCommands(), Width);
        var help = new CliHelp(Strings.English, Width);
        var text = new StringBuilder();
        foreach (var command in CliHelp.AllCommands(root))
        {
            text.Append("\n### `").Append(CliHelp.PathOf(command)).Append("`\n\n```text\n");
            using var writer = new StringWriter();
            help.Write(command, writer);
            text.Append(writer.ToString().TrimEnd('\n')).Append("\n```\n");
        }

        return text.ToString();
    }
}
