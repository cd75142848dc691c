using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using TcpMsg.Cli;
using TcpMsg.Cli.Localization;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>Help and mistakes under Chinese are Chinese: every command, argument and option has its translation, wrapped by display width, and so do the parser's words.</summary>
public sealed class ChineseHelpTests
{
    private static readonly Strings s_chinese = new(CultureInfo.GetCultureInfo("zh-CN"));

    [Fact]
    public void Every_command_argument_and_option_has_a_chinese_description()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var missing = new List<string>();
        foreach (var command in CliHelp.AllCommands(root))
        {
            var keys = new[] { CliHelp.KeyOf(command) }
                .Concat(command.Arguments.Where(a => !a.Hidden).Select(a => CliHelp.KeyOf(command, a.Name)))
                .Concat(CliHelp.OptionsOf(command).Where(o => o is not HelpOption and not VersionOption).Select(o => CliHelp.KeyOf(command, o)));
            missing.AddRange(keys.Where(key => s_chinese.Find(key) is null));
        }

        Assert.True(missing.Count == 0, "no Chinese description (Resources/Strings.zh.resx): " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_chinese_description_belongs_to_a_command_argument_or_option_that_exists()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var keys = CliHelp.AllCommands(root).SelectMany(command => new[] { CliHelp.KeyOf(command) }
            .Concat(command.Arguments.Select(a => CliHelp.KeyOf(command, a.Name)))
            .Concat(CliHelp.OptionsOf(command).Select(o => CliHelp.KeyOf(command, o)))).ToHashSet(StringComparer.Ordinal);

        var stale = LocalizationTests.Load("Strings.zh.resx").Keys.Where(k => k.StartsWith("Help:", StringComparison.Ordinal) && !keys.Contains(k));

        Assert.Empty(stale);
    }

    [Fact]
    public void No_line_of_chinese_help_is_wider_than_the_terminal_and_no_translation_is_left_in_english()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var help = new CliHelp(s_chinese, 80);
        foreach (var command in CliHelp.AllCommands(root))
        {
            using var writer = new StringWriter();
            help.Write(command, writer);
            var lines = writer.ToString().Split('\n');

            Assert.All(lines, line => Assert.True(Columns(line) <= 80, $"{CliHelp.PathOf(command)}: {Columns(line)} columns: {line}"));
            foreach (var option in CliHelp.OptionsOf(command).Where(o => o.Description is { Length: > 0 }))
            {
                Assert.DoesNotContain(option.Description!, writer.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Serve_help_under_a_chinese_locale_is_in_chinese()
    {
        await using var tool = ChildProcess.StartTcpMsg(["serve", "--help"], new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" });

        Assert.Equal(0, await tool.WaitForExitAsync());
        Assert.StartsWith("在TCP端口2023上接收消息并打印。\n", tool.Out, StringComparison.Ordinal);
        Assert.Contains("不存储消息:消息一到就打印(并确认)。", tool.Out, StringComparison.Ordinal);
    }

    /// <summary>Display columns: a Chinese character takes two.</summary>
    private static int Columns(string line) => line.Sum(c => c is >= '\u2E80' and <= '\uA4CF' or >= '\uFF00' and <= '\uFF60' ? 2 : 1);

    [Theory]
    [InlineData("serve --port abc", "tcpmsg serve: --port: 'abc' 不是整数; 参见 'tcpmsg serve --help'")]
    [InlineData("send --retries 3 127.0.0.1 x", "tcpmsg send: 未知选项 '--retries'(是不是 '--retry'?); 参见 'tcpmsg send --help'")]
    [InlineData("sned", "tcpmsg: 未知命令 'sned'(是不是 'send'?); 参见 'tcpmsg --help'")]
    [InlineData("serve --idle-timeout 5x", "tcpmsg serve: --idle-timeout: '5x':未知的单位 'x'(请用 ms、s、m、h、d); 参见 'tcpmsg serve --help'")]
    public async Task A_mistake_under_a_chinese_locale_is_said_in_chinese(string command, string expected)
    {
        await using var tool = ChildProcess.StartTcpMsg(command.Split(' '), new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" });

        Assert.Equal(2, await tool.WaitForExitAsync());
        Assert.Equal(expected + "\n", tool.Error);
    }

    [Fact]
    public async Task Lang_en_on_the_command_line_wins_over_a_chinese_locale_for_mistakes_too()
    {
        await using var tool = ChildProcess.StartTcpMsg(["serve", "--port", "abc", "--lang", "en"], new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" });

        Assert.Equal(2, await tool.WaitForExitAsync());
        Assert.Equal("tcpmsg serve: --port: 'abc' is not a whole number; see 'tcpmsg serve --help'\n", tool.Error);
    }
}
