using System.Buffers;
using System.Globalization;
using System.Text;

namespace TcpMsg;

/// <summary>
/// Makes text received from the network safe to show on a terminal: control characters (ANSI escape
/// sequences start with one), line and paragraph separators and bidirectional overrides are shown as
/// <c>\xHH</c> or <c>\uHHHH</c> instead of being sent raw. Tab is kept.
/// </summary>
public static class TerminalText
{
    private static readonly SearchValues<char> s_unsafe = SearchValues.Create(BuildUnsafe());

    /// <summary>True when <paramref name="text"/> has a character that must be escaped.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => text.ContainsAny(s_unsafe);

    /// <summary>Writes <paramref name="text"/> as UTF-8, escaped where needed.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var index = text.IndexOfAny(s_unsafe);
            var safe = index < 0 ? text : text[..index];
            if (!safe.IsEmpty)
            {
                Encoding.UTF8.GetBytes(safe, output);
            }

            if (index < 0)
            {
                return;
            }

            WriteEscape(output, text[index]);
            text = text[(index + 1)..];
        }
    }

    /// <summary>Returns <paramref name="text"/> escaped, as a string.</summary>
    public static string Escape(string text)
    {
        if (!NeedsEscaping(text))
        {
            return text;
        }

        var buffer = new ArrayBufferWriter<byte>(text.Length + 16);
        WriteEscaped(buffer, text);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        var escape = c <= 0xFF
            ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}")
            : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        Encoding.UTF8.GetBytes(escape, output);
    }

    private static string BuildUnsafe()
    {
        var chars = new StringBuilder();
        for (var c = '\0'; c < ' '; c++)
        {
            if (c != '\t')
            {
                chars.Append(c);
            }
        }

        for (var c = '\u007F'; c <= '\u009F'; c++)
        {
            chars.Append(c);
        }

        // Bidirectional marks, embeddings, overrides and isolates; line and paragraph separators.
        chars.Append("\u061C\u200E\u200F\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");
        return chars.ToString();
    }
}
