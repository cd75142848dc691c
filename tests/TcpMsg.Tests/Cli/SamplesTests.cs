using System.Text.RegularExpressions;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// The programs of samples/ (docs/library.md) are what a user of the library starts from: built with
/// the solution, they run as written, an embedded server that stores to SQLite and a sender that waits
/// for each message to be stored, and `tcpmsg history` reads what they stored.
/// </summary>
public sealed partial class SamplesTests : LoopbackTest
{
    [Fact]
    public async Task The_embedded_server_sample_stores_what_the_confirmed_sender_sample_sends()
    {
        using var directory = new TempDirectory();
        var store = directory.File("messages.db");
        await using var server = ChildProcess.Start(ChildProcess.DotnetHost, [Sample("EmbeddedServer"), "0", store]);
        await server.WaitForOutputAsync(o => Listening().IsMatch(o), "the sample server to listen", TestTimeouts.Extended);
        var port = Listening().Match(server.Out).Groups["port"].Value;

        await using var sender = ChildProcess.Start(ChildProcess.DotnetHost, [Sample("ConfirmedSender"), "127.0.0.1", port], stdin: "你好,世界!!!\nsecond\n");
        Assert.True(await sender.WaitForExitAsync(TestTimeouts.Extended) == 0, sender.Error);
        Assert.Equal("2 messages stored, the last as #2\n", sender.Out);
        await server.WaitForOutputAsync(o => o.Contains(": second\n", StringComparison.Ordinal), "the second message printed");
        Assert.Matches(@"#1 from 127\.0\.0\.1:\d+: 你好,世界!!!\n#2 from 127\.0\.0\.1:\d+: second\n", server.Out);
        server.Signal(ChildProcess.SigInt);
        Assert.Equal(0, await server.WaitForExitAsync());

        await using var history = ChildProcess.StartTcpMsg(["history", "--store", store, "--lang", "en"]);
        Assert.Equal(0, await history.WaitForExitAsync());
        Assert.Equal(["127.0.0.1 sent a message>>>你好,世界!!!", "127.0.0.1 sent a message>>>second"], HistoryCommandTests.WithoutTime(history.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>A sample's program, built like the tests (same configuration and framework).</summary>
    private static string Sample(string name)
    {
        var cli = new FileInfo(CliBuild.DllPath);
        var framework = cli.Directory!.Name;
        var configuration = cli.Directory.Parent!.Name;
        var dll = Path.Combine(CliBuild.RepositoryRoot, "samples", name, "bin", configuration, framework, name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built (dotnet build tcpmsg.slnx builds the samples)");
        return dll;
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex Listening();
}
