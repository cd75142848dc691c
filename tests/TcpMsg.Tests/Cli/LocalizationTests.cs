using System.Globalization;
using System.Xml.Linq;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

public sealed class LocalizationTests
{
    public static TheoryData<string> Languages => ["en", "zh"];

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_disconnect_reason_and_error_code_has_a_line(string language)
    {
        var formatter = new TextEventFormatter(Strings.For(language), verbose: true);
        var connection = TestMessages.From("127.0.0.1", 5);

        foreach (var reason in Enum.GetValues<TcpMsgErrorCode>())
        {
            Assert.False(string.IsNullOrWhiteSpace(formatter.ReasonText(reason)), reason.ToString());
        }

        foreach (var code in Enum.GetValues<TcpMsgErrorCode>())
        {
            var line = formatter.ErrorLine(new ConnectionError(connection, DateTimeOffset.UtcNow, code, "detail", 1, 1000));
            Assert.Contains("127.0.0.1:5", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_chinese_resources_translate_every_english_string_with_the_same_placeholders()
    {
        var english = Load("Strings.resx");
        // The help's translations (Help:serve --port) have no English entry: English is the definitions' own text (ChineseHelpTests).
        var chinese = Load("Strings.zh.resx").Where(e => !e.Key.StartsWith("Help:", StringComparison.Ordinal)).ToDictionary();

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), chinese.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in english)
        {
            Assert.Equal(Placeholders(text), Placeholders(chinese[key]));
        }
    }

    internal static Dictionary<string, string> Load(string file) =>
        XDocument.Load(Path.Combine(CliBuild.RepositoryRoot, "src", "TcpMsg.Cli", "Resources", file))
            .Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!);

    private static List<string> Placeholders(string text) =>
        [.. System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public void Lang_zh_picks_the_chinese_culture_whatever_the_machine()
    {
        Assert.Equal("zh-CN", Strings.For("zh").Culture.Name);
        Assert.Equal("en", Strings.For("en").Culture.Name);
        Assert.Equal(CultureInfo.CurrentUICulture, Strings.For(null).Culture);
    }
}
