using TcpMsg.Cli.Parsing;

namespace TcpMsg.Tests.Cli;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("1048576", 1048576)]
    [InlineData("64KiB", 65536)]
    [InlineData("4MiB", 4194304)]
    [InlineData("1M", 1048576)]
    [InlineData("500kB", 500000)]
    [InlineData("1.5KiB", 1536)]
    [InlineData(" 2 GiB ", 2147483648)]
    public void Sizes_parse_with_binary_and_decimal_units(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed, out var error), error);
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1.3B")]
    [InlineData("5 parsecs")]
    public void Bad_sizes_are_rejected(string text) => Assert.False(ByteSize.TryParse(text, out _, out _));

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2.5", 2_500)]
    public void Durations_parse(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, allowInfinite: false, out var parsed, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parsed);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("never")]
    [InlineData("off")]
    public void No_limit_words_mean_infinite_where_allowed(string text)
    {
        Assert.True(Duration.TryParse(text, allowInfinite: true, out var parsed, out _));
        Assert.Equal(Timeout.InfiniteTimeSpan, parsed);
        Assert.False(Duration.TryParse(text, allowInfinite: false, out _, out _));
    }

    [Theory]
    [InlineData("plain text 中文", "plain text 中文")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("\u001b[31m", "\\x1B[31m")]
    [InlineData("cr\rlf\n", "cr\\x0Dlf\\x0A")]
    [InlineData("c1\u009b", "c1\\x9B")]
    [InlineData("bidi\u202Eoverride\u2066", "bidi\\u202Eoverride\\u2066")]
    [InlineData("del\u007f", "del\\x7F")]
    public void Terminal_controls_are_escaped_and_text_is_kept(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text));
}
