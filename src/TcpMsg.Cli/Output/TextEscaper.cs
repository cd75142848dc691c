using System.Buffers;

namespace TcpMsg.Cli.Output;

/// <summary>
/// Makes message text safe for a terminal: the library's <see cref="TerminalText"/>, which the chat
/// server shares for the lines it sends plain-mode members.
/// </summary>
internal static class TextEscaper
{
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => TerminalText.NeedsEscaping(text);

    /// <summary>Whether <paramref name="c"/> is shown escaped.</summary>
    public static bool IsUnsafe(char c) => TerminalText.IsUnsafe(c);

    /// <summary>The index of the first character of <paramref name="text"/> that must be escaped, or -1.</summary>
    public static int IndexOfUnsafe(ReadOnlySpan<char> text) => TerminalText.IndexOfUnsafe(text);

    /// <summary>Writes <paramref name="text"/> as UTF-8, escaped where needed.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> text) => TerminalText.WriteEscaped(output, text);

    /// <summary>Returns <paramref name="text"/> escaped, as a string.</summary>
    public static string Escape(string text) => TerminalText.Escape(text);

    /// <summary>Encodes in one pass into room for the worst case, rather than counting first.</summary>
    internal static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text) => TerminalText.WriteUtf8(output, text);
}
