using System.Buffers;

namespace TcpMsg.Cli.Output;

/// <summary>
/// Makes message text safe for a terminal (see <see cref="TerminalText"/>, which the chat server
/// shares for the lines it sends plain-mode members).
/// </summary>
internal static class TextEscaper
{
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => TerminalText.NeedsEscaping(text);

    /// <summary>Writes <paramref name="text"/> as UTF-8, escaped where needed.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> text) => TerminalText.WriteEscaped(output, text);

    /// <summary>Returns <paramref name="text"/> escaped, as a string.</summary>
    public static string Escape(string text) => TerminalText.Escape(text);
}
