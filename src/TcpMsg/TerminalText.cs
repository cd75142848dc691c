using System.Buffers;
using System.Globalization;
using System.Text;

namespace TcpMsg;

/// <summary>
/// Makes text received from the network safe to show on a terminal: control characters (ANSI escape
/// sequences start with one), line and paragraph separators and bidirectional overrides are shown as
/// <c>\xHH</c> or <c>\uHHHH</c> instead of being sent raw. Tab is kept. The CLI prints with it, and
/// the chat server escapes the lines it sends plain-mode members with it.
/// </summary>
public static class TerminalText
{
    // Every unsafe character lies in one of these ranges; most text (ASCII, CJK) in none of them, and
    // a range search is vectorized. A SearchValues of the exact set would be a probabilistic map,
    // which confirms every CJK character by hand: a quarter of the server's time on Chinese text.
    private const char C0Last = '\u001F';
    private const char C1First = '\u007F';
    private const char C1Last = '\u009F';
    private const char FormatFirst = '\u061C';
    private const char FormatLast = '\u2069';

    /// <summary>True when <paramref name="text"/> has a character that must be escaped.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => IndexOfUnsafe(text) >= 0;

    /// <summary>Whether <paramref name="c"/> is shown escaped: C0 and C1 controls except tab, bidirectional controls, line and paragraph separators.</summary>
    public static bool IsUnsafe(char c) => c switch
    {
        '\t' => false,
        <= C0Last => true,
        >= C1First and <= C1Last => true,

        // Arabic letter mark; LRM, RLM; line and paragraph separators; embeddings and overrides; isolates.
        '\u061C' or '\u200E' or '\u200F' or (>= '\u2028' and <= '\u202E') or (>= '\u2066' and <= FormatLast) => true,
        _ => false,
    };

    /// <summary>The index of the first character of <paramref name="text"/> that must be escaped, or -1.</summary>
    public static int IndexOfUnsafe(ReadOnlySpan<char> text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var rest = text[start..];
            var candidate = First(rest.Length, rest.IndexOfAnyInRange('\0', C0Last));
            candidate = First(candidate, rest[..candidate].IndexOfAnyInRange(C1First, C1Last));
            candidate = First(candidate, rest[..candidate].IndexOfAnyInRange(FormatFirst, FormatLast));
            if (candidate == rest.Length)
            {
                return -1;
            }

            if (IsUnsafe(rest[candidate]))
            {
                return start + candidate;
            }

            start += candidate + 1;
        }

        return -1;
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8, escaped where needed.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var index = IndexOfUnsafe(text);
            var safe = index < 0 ? text : text[..index];
            if (!safe.IsEmpty)
            {
                WriteUtf8(output, safe);
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

    /// <summary>Encodes in one pass into room for the worst case (3 bytes per UTF-16 unit), rather than counting first.</summary>
    public static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(checked(text.Length * 3));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static int First(int current, int found) => found < 0 ? current : found;

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        var escape = c <= 0xFF
            ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}")
            : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        Encoding.UTF8.GetBytes(escape, output);
    }
}
