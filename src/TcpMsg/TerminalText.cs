using System.Buffers;
using System.Text;

// The CLI compiles this file as its own internal copy (src/TcpMsg.Cli/TcpMsg.Cli.csproj), in its own
// namespace: the tests, which see the internals of both assemblies, then see one type of each name.
#if TCPMSG_CLI
namespace TcpMsg.Cli;
#else
namespace TcpMsg;
#endif

/// <summary>
/// Makes text received from the network safe to show on a terminal: control characters (ANSI escape
/// sequences start with one), line and paragraph separators and bidirectional overrides are shown as
/// <c>\xHH</c> or <c>\uHHHH</c> instead of being sent raw. Tab is kept. The CLI prints with it, and
/// the chat server escapes the lines it sends plain-mode members with it.
/// </summary>
internal static class TerminalText
{
    // Every unsafe character lies in one of these ranges; most text (ASCII, CJK) in none of them, and
    // a range search is vectorized. A SearchValues of the exact set would be a probabilistic map,
    // which confirms every CJK character by hand: a quarter of the server's time on Chinese text.
    private const char C0Last = '\u001F';
    private const char C1First = '\u007F';
    private const char C1Last = '\u009F';
    private const char FormatFirst = '\u061C';
    private const char FormatLast = '\u2069';

    // The bytes an unsafe character's UTF-8 starts with: C0 controls (tab among them, skipped when
    // found), DEL, and the lead bytes of C1 controls (0xC2), U+061C (0xD8) and U+200E-U+2069 (0xE2).
    // Found with a range search and searches for three values and for one, all plain vector compares: the
    // SearchValues of the exact set shuffles bytes, which a NativeAOT build for the baseline x64
    // does in software (43% of the NativeAOT server's CPU on the streams load).
    private const byte C0LastByte = 0x1F;
    private const byte DelByte = 0x7F;
    private const byte C1Lead = 0xC2;
    private const byte ArabicMarkLead = 0xD8;
    private const byte FormatLead = 0xE2;

    /// <summary>True when <paramref name="text"/> has a character that must be escaped.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => IndexOfUnsafe(text) >= 0;

    /// <summary>True when <paramref name="utf8"/> (valid UTF-8) has a character that must be escaped.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<byte> utf8) => IndexOfUnsafe(utf8, out _, out _) >= 0;

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

    /// <summary>
    /// Writes UTF-8 text escaped where needed, without decoding it: the same bytes
    /// <see cref="WriteEscaped(IBufferWriter{byte}, ReadOnlySpan{char})"/> writes for the decoded text.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="utf8">Valid UTF-8 (a message's text, invalid input already replaced by U+FFFD).</param>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            var index = IndexOfUnsafe(utf8, out var length, out var unsafeChar);
            var safe = index < 0 ? utf8 : utf8[..index];
            if (!safe.IsEmpty)
            {
                output.Write(safe);
            }

            if (index < 0)
            {
                return;
            }

            WriteEscape(output, unsafeChar);
            utf8 = utf8[(index + length)..];
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

    /// <summary>
    /// The first unsafe character of valid UTF-8: its byte index, its length in bytes, the character.
    /// Every unsafe character is a C0 control, DEL, or starts with 0xC2 (C1 controls), 0xD8 (U+061C)
    /// or 0xE2 (U+200E-U+2069): a vectorized search for those bytes, then a look at the candidates.
    /// </summary>
    private static int IndexOfUnsafe(ReadOnlySpan<byte> utf8, out int length, out char unsafeChar)
    {
        var start = 0;
        while (true)
        {
            var rest = utf8[start..];
            var found = rest.IndexOfAnyInRange((byte)0, C0LastByte);
            var leads = (found < 0 ? rest : rest[..found]).IndexOfAny(DelByte, C1Lead, ArabicMarkLead);
            found = leads >= 0 ? leads : found;
            var format = (found < 0 ? rest : rest[..found]).IndexOf(FormatLead);
            found = format >= 0 ? format : found;
            if (found < 0)
            {
                length = 0;
                unsafeChar = default;
                return -1;
            }

            var index = start + found;
            rest = utf8[index..];
            var lead = rest[0];
            if (lead == (byte)'\t')
            {
                start = index + 1;
                continue;
            }

            if (lead < 0x80)
            {
                length = 1;
                unsafeChar = (char)lead;
                return index;
            }

            length = lead < 0xE0 ? 2 : 3;
            if (rest.Length >= length)
            {
                var c = length == 2
                    ? (char)(((lead & 0x1F) << 6) | (rest[1] & 0x3F))
                    : (char)(((lead & 0x0F) << 12) | ((rest[1] & 0x3F) << 6) | (rest[2] & 0x3F));
                if (IsUnsafe(c))
                {
                    unsafeChar = c;
                    return index;
                }
            }

            start = index + 1;
        }
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        // \xHH for a character up to U+00FF, \uHHHH above.
        var wide = c > 0xFF;
        var span = output.GetSpan(6);
        span[0] = (byte)'\\';
        span[1] = wide ? (byte)'u' : (byte)'x';
        var digits = wide ? 4 : 2;
        for (var i = 0; i < digits; i++)
        {
            span[2 + i] = (byte)"0123456789ABCDEF"[(c >> (4 * (digits - 1 - i))) & 0xF];
        }

        output.Advance(2 + digits);
    }
}
