using System.Text.RegularExpressions;
using TcpMsg.Cli;
using TcpMsg.Cli.Localization;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>--help and docs/cli.md: written from the command definitions, named tcpmsg, one default per option.</summary>
public sealed partial class HelpTests : LoopbackTest
{
    [Fact]
    public void Every_options_help_shows_at_most_one_default_in_one_format()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var help = new CliHelp(Strings.English, 400);
        var rows = 0;
        foreach (var command in CliHelp.AllCommands(root))
        {
            using var writer = new StringWriter();
            help.Write(command, writer);
            foreach (var option in CliHelp.OptionsOf(command))
            {
                var row = writer.ToString().Split('\n').Single(l => l.StartsWith("  " + CliHelp.Label(option) + " ", StringComparison.Ordinal));
                Assert.True(Default().Count(row) <= 1, $"{CliHelp.PathOf(command)} {option.Name}: {row}");
                Assert.Equal(Default().Count(row), BracketedDefault().Count(row));
                if (CliHelp.DefaultText(option) is { } text)
                {
                    Assert.EndsWith($"[default: {text}]", row, StringComparison.Ordinal);
                    Assert.DoesNotMatch(@"\d{5,}", text.Replace("10000", "", StringComparison.Ordinal));
                }

                rows++;
            }
        }

        Assert.True(rows > 60, $"only {rows} option rows");
    }

    [Theory]
    [InlineData("serve", "--max-message-size <SIZE>", "[default: 1MiB]")]
    [InlineData("serve", "--idle-timeout <DURATION>", "[default: 5m]")]
    [InlineData("serve", "--framing <lines|whole>", "[default: lines]")]
    [InlineData("serve", "--durability <fsync|process>", "[default: fsync]")]
    [InlineData("history", "-n, --limit <N>", "[default: 50]")]
    public async Task The_process_help_says_tcpmsg_and_shows_defaults_as_they_are_typed(string command, string label, string shown)
    {
        await using var tool = ChildProcess.StartTcpMsg([command, "--help"]);

        Assert.Equal(0, await tool.WaitForExitAsync());
        Assert.Contains($"  tcpmsg {command} [options]", tool.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("TcpMsg.Cli", tool.Out, StringComparison.Ordinal);
        var row = Regex.Replace(tool.Out, @"\n {10,}", " ").Split('\n').Single(l => l.StartsWith("  " + label + " ", StringComparison.Ordinal));
        Assert.EndsWith(shown, row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lower_case_choices_are_accepted_as_help_writes_them()
    {
        var (code, console) = await InProcessCli.RunAsync("", "serve", "--framing", "lines", "--port", "abc");
        Assert.Equal(2, code);
        Assert.DoesNotContain("--framing", console.ErrorText, StringComparison.Ordinal);
        Assert.Contains("--port", console.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_headings_follow_lang_zh()
    {
        await using var tool = ChildProcess.StartTcpMsg(["history", "--help", "--lang", "zh"]);

        Assert.Equal(0, await tool.WaitForExitAsync());
        Assert.Contains("用法:", tool.Out, StringComparison.Ordinal);
        Assert.Contains("[默认: 50]", tool.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_minus_n_option_means_a_count_wherever_it_exists()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var root = app.BuildRoot(app.AllCommands());
        var minusN = CliHelp.AllCommands(root).SelectMany(CliHelp.OptionsOf).Where(o => o.Aliases.Contains("-n")).Select(o => o.Name).Distinct();
        Assert.Equal(["--limit"], minusN);
    }

    [Fact]
    public void The_committed_docs_cli_md_is_what_the_generator_writes()
    {
        var app = new CliApplication(new TestConsole(), handleSignals: false);
        var path = Path.Combine(CliBuild.RepositoryRoot, "docs", "cli.md");
        var committed = File.ReadAllText(path);
        var marker = committed.IndexOf(CliDocs.Marker, StringComparison.Ordinal);
        Assert.True(marker >= 0, $"docs/cli.md has no marker line {CliDocs.Marker}");
        var generated = committed[..(marker + CliDocs.Marker.Length)] + "\n" + CliDocs.Reference(app);
        if (Environment.GetEnvironmentVariable("TCPMSG_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(generated == committed, "docs/cli.md is out of date: run this test with TCPMSG_UPDATE_DOCS=1 to rewrite it");
    }

    [GeneratedRegex(@"\bdefault", RegexOptions.IgnoreCase)]
    private static partial Regex Default();

    [GeneratedRegex(@"\[default: [^\]]+\]")]
    private static partial Regex BracketedDefault();
}
