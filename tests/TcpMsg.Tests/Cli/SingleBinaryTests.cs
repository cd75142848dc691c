using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>A publish that compiles for a whole core's time: alone, after the parallel tests, so it slows none of them.</summary>
[CollectionDefinition(nameof(SingleBinaryCollection), DisableParallelization = true)]
public sealed class SingleBinaryCollection;

/// <summary>
/// The install is one file: the NativeAOT build of tcpmsg with SQLite linked in. Published for real,
/// copied alone into an empty folder, it serves, stores and reads back the tutorial's message, in
/// English and in Chinese, and depends on no SQLite library.
/// </summary>
[Collection(nameof(SingleBinaryCollection))]
public sealed class SingleBinaryTests : LoopbackTest
{
    [Fact]
    public async Task The_native_binary_alone_serves_stores_and_reads_history()
    {
        ExternalTools.Require("cc");
        using var directory = new TempDirectory();
        var publish = Path.Combine(directory.Path, "publish");
        var published = await RunAsync(ChildProcess.DotnetHost, ["publish", Path.Combine(CliBuild.RepositoryRoot, "src", "TcpMsg.Cli"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", publish, "-nologo", "-v", "q"], TimeSpan.FromMinutes(10));
        Assert.True(published.Code == 0, published.Output);
        Assert.False(File.Exists(Path.Combine(publish, "libe_sqlite3.so")), "the shared SQLite library was published beside the binary");

        var alone = Directory.CreateDirectory(Path.Combine(directory.Path, "alone")).FullName;
        var binary = Path.Combine(alone, "tcpmsg");
        File.Copy(Path.Combine(publish, "tcpmsg"), binary);
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var libraries = await RunAsync("ldd", [binary], TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("sqlite", libraries.Output, StringComparison.OrdinalIgnoreCase);

        var store = Path.Combine(directory.Path, "alone.db");
        await using (var serve = ChildProcess.Start(binary, ["serve", "--listen", "127.0.0.1", "--port", "0", "--store", store]))
        {
            var port = await EndToEndTests.ListeningPortAsync(serve);
            await using var send = ChildProcess.Start(binary, ["send", $"127.0.0.1:{port}", "你好,世界!!!"]);
            Assert.Equal(0, await send.WaitForExitAsync());
            serve.Signal(ChildProcess.SigTerm);
            Assert.Equal(0, await serve.WaitForExitAsync());
        }

        await using var english = ChildProcess.Start(binary, ["history", "--store", store, "--lang", "en"]);
        await using var chinese = ChildProcess.Start(binary, ["history", "--store", store, "--lang", "zh"]);
        Assert.Equal(0, await english.WaitForExitAsync());
        Assert.Equal(0, await chinese.WaitForExitAsync());
        Assert.Contains("127.0.0.1 sent a message>>>你好,世界!!!", english.Out, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1发来消息>>>你好,世界!!!", chinese.Out, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        await using var process = ChildProcess.Start(file, args);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Out + process.Error);
    }
}
