using System.Buffers;
using System.Text;

namespace TcpMsg.Tests;

public sealed class TerminalTextTests
{
    // The definition: C0 and C1 controls except tab, the Arabic letter mark, LRM and RLM, line and
    // paragraph separators, bidirectional embeddings, overrides and isolates.
    private static bool Unsafe(char c) =>
        (c < ' ' && c != '\t') || (c >= '\u007F' && c <= '\u009F') ||
        "\u061C\u200E\u200F\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069".Contains(c, StringComparison.Ordinal);

    [Fact]
    public void Every_utf16_unit_is_escaped_exactly_when_the_definition_says()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            Assert.True(Unsafe((char)c) == TerminalText.IsUnsafe((char)c), $"U+{c:X4}");

            // In the middle of CJK text, where the fast scan skips ahead.
            var text = "中文" + new string('字', c % 40) + (char)c + "中文";
            Assert.Equal(Unsafe((char)c) ? 2 + (c % 40) : -1, TerminalText.IndexOfUnsafe(text));
        }
    }

    [Fact]
    public void Long_text_mixing_tabs_and_format_characters_is_escaped_where_needed_only()
    {
        var text = string.Concat(Enumerable.Repeat("a\t中\u2010\u2027\u2028 ", 50));
        var output = new ArrayBufferWriter<byte>();

        TerminalText.WriteEscaped(output, text);

        Assert.Equal(text.Replace("\u2028", "\\u2028", StringComparison.Ordinal), Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
