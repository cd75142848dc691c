using System.Text.Json;
using System.Text.RegularExpressions;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>The built tool as separate processes, against itself and against real peers.</summary>
public sealed partial class EndToEndTests : LoopbackTest
{
    [Fact]
    public async Task Serve_and_send_processes_talk_in_english_and_stop_cleanly_on_sigterm()
    {
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        var port = await ListeningPortAsync(serve);

        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "你好,世界!!!"]);
        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal("", send.Error);
        await serve.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        var lines = serve.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("127.0.0.1 sent a message>>>你好,世界!!!", lines[0]);
        Assert.Matches(@"^127\.0\.0\.1:\d+ disconnected from the server\.\.\.$", lines[1]);

        serve.Signal(ChildProcess.SigTerm);
        Assert.Equal(0, await serve.WaitForExitAsync());
        Assert.Contains("stopped: 1 message(s) from 1 connection(s)", serve.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_a_chinese_locale_the_lines_are_the_tutorials()
    {
        var chinese = new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" };
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"], chinese);
        var port = await ListeningPortAsync(serve);

        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "你好,世界!!!"], chinese);
        Assert.Equal(0, await send.WaitForExitAsync());
        await serve.WaitForOutputAsync(o => o.Contains("断开", StringComparison.Ordinal), "the disconnect line");

        var lines = serve.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("127.0.0.1发来消息>>>你好,世界!!!", lines[0]);
        Assert.Matches(@"^127\.0\.0\.1:\d+断开了与服务器的连接\.\.\.$", lines[1]);
    }

    [Fact]
    public async Task Json_format_from_the_process_parses_line_by_line()
    {
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0", "--format", "json"]);
        var port = await ListeningPortAsync(serve);

        await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}"], stdin: "one\ntwo\n");
        Assert.Equal(0, await send.WaitForExitAsync());
        await serve.WaitForOutputAsync(o => o.Contains("\"disconnected\"", StringComparison.Ordinal), "the disconnect event");

        var events = serve.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["connected", "message", "message", "disconnected"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(["one", "two"], events.Where(e => e.GetProperty("event").GetString() == "message").Select(e => e.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Send_exit_codes_distinguish_refused_and_unresolvable()
    {
        var port = SendCommandTests.FreePort();
        await using var refused = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "hi"]);
        await using var unknown = ChildProcess.StartTcpMsg(["send", "nowhere.invalid", "hi"]);

        Assert.Equal(4, await refused.WaitForExitAsync());
        Assert.Equal(3, await unknown.WaitForExitAsync());
        Assert.Equal($"tcpmsg send: connection refused by 127.0.0.1:{port} (is the server running?)\n", refused.Error);
        Assert.Equal("tcpmsg send: host not found: nowhere.invalid\n", unknown.Error);
    }

    [Fact]
    public async Task A_busy_port_makes_serve_exit_nonzero_with_one_line()
    {
        await using var first = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        var port = await ListeningPortAsync(first);

        await using var second = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", $"127.0.0.1:{port}"]);

        Assert.Equal(7, await second.WaitForExitAsync());
        Assert.Equal($"tcpmsg: cannot listen on 127.0.0.1:{port}: the address is already in use (is another server running there?)\n", second.Error);
    }

    [Fact]
    public async Task A_privileged_port_is_one_clear_line_and_a_nonzero_exit()
    {
        var start = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.SkipWhen(start <= 80, "this machine lets every user bind port 80");
        var asRoot = Environment.UserName == "root";
        var setpriv = asRoot ? ExternalTools.Require("setpriv") : null;

        // As root, drop to nobody first: binding port 80 must fail for the test to mean anything.
        // nobody may not read the build tree, so it runs a world-readable copy of the tool.
        var dll = asRoot ? WorldReadableCopyOfTool() : CliBuild.DllPath;
        var nobody = new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" };
        string[] drop = ["--reuid=65534", "--regid=65534", "--clear-groups"];
        if (setpriv is not null)
        {
            await using var probe = ChildProcess.Start(setpriv, [.. drop, ChildProcess.DotnetHost, "--list-runtimes"], nobody);
            Assert.SkipWhen(await probe.WaitForExitAsync() != 0, "the dotnet host cannot run as nobody on this machine");
        }

        string[] serve = [ChildProcess.DotnetHost, dll, "serve", "--no-store", "--listen", "127.0.0.1:80"];
        await using var process = setpriv is null
            ? ChildProcess.Start(serve[0], serve[1..])
            : ChildProcess.Start(setpriv, [.. drop, .. serve], nobody);

        Assert.Equal(7, await process.WaitForExitAsync());
        Assert.Equal("tcpmsg: cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need privileges; try --port 2023)\n", process.Error);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_server_gracefully()
    {
        Assert.SkipWhen(ExternalTools.SigIntIgnored(), "SIGINT is ignored in this process tree (a background job); SIGTERM is tested instead");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        await ListeningPortAsync(serve);

        serve.Signal(ChildProcess.SigInt);

        Assert.Equal(0, await serve.WaitForExitAsync());
        Assert.Contains("stopped:", serve.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tutorials_python_client_is_served()
    {
        var python = ExternalTools.Require("python3");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"], new Dictionary<string, string> { ["LANG"] = "zh_CN.UTF-8" });
        var port = await ListeningPortAsync(serve);

        await using var client = ChildProcess.Start(python, [Script("tutorial_client.py"), "127.0.0.1", $"{port}"]);
        Assert.Equal(0, await client.WaitForExitAsync());
        await serve.WaitForOutputAsync(o => o.Contains("断开", StringComparison.Ordinal), "the disconnect line");

        Assert.StartsWith("127.0.0.1发来消息>>>你好,世界!!!\n", serve.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Netcat_lines_are_messages()
    {
        var nc = ExternalTools.Require("nc");
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--no-store", "--listen", "127.0.0.1", "--port", "0"]);
        var port = await ListeningPortAsync(serve);

        // -N: shut down the sending side at the end of input, as the four-way close expects.
        await using var client = ChildProcess.Start(nc, ["-N", "127.0.0.1", $"{port}"], stdin: "from nc\n第二行\n");
        Assert.Equal(0, await client.WaitForExitAsync());
        await serve.WaitForOutputAsync(o => o.Contains("disconnected", StringComparison.Ordinal), "the disconnect line");

        Assert.StartsWith("127.0.0.1 sent a message>>>from nc\n127.0.0.1 sent a message>>>第二行\n", serve.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_works_against_netcat_listening()
    {
        var nc = ExternalTools.Require("nc");
        var port = SendCommandTests.FreePort();
        await using var listener = ChildProcess.Start(nc, ["-l", "127.0.0.1", $"{port}"]);
        await ExternalTools.WaitUntilListeningAsync(port);

        await using var send = ChildProcess.StartTcpMsg(["send", "--plain", $"127.0.0.1:{port}", "to netcat 你好"]);

        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal(0, await listener.WaitForExitAsync());
        Assert.Equal("to netcat 你好\n", listener.Out);
    }

    [Fact]
    public async Task Send_works_against_the_tutorials_python_server()
    {
        var python = ExternalTools.Require("python3");
        var port = SendCommandTests.FreePort();
        await using var server = ChildProcess.Start(python, ["-u", Script("tutorial_server.py"), "127.0.0.1", $"{port}"], new Dictionary<string, string> { ["PYTHONIOENCODING"] = "utf-8" });
        await ExternalTools.WaitUntilListeningAsync(port);

        await using var send = ChildProcess.StartTcpMsg(["send", "--plain", $"127.0.0.1:{port}", "你好,世界!!!"]);

        Assert.Equal(0, await send.WaitForExitAsync());
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.StartsWith("127.0.0.1发来消息>>>你好,世界!!!\n", server.Out, StringComparison.Ordinal);
        Assert.Contains("断开了与服务器的连接...", server.Out, StringComparison.Ordinal);
    }

    internal static async Task<int> ListeningPortAsync(ChildProcess serve)
    {
        await serve.WaitForErrorAsync(e => ListeningLine().IsMatch(e), "the listening line", TestTimeouts.Extended);
        return int.Parse(ListeningLine().Match(serve.Error).Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string WorldReadableCopyOfTool()
    {
        var target = Directory.CreateTempSubdirectory("tcpmsg-tool-");
        var source = Path.GetDirectoryName(CliBuild.DllPath)!;
        var everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target.FullName, Path.GetRelativePath(source, file));
            var directory = Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            directory.UnixFileMode = everyone | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, everyone);
        }

        target.UnixFileMode = everyone | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return Path.Combine(target.FullName, Path.GetFileName(CliBuild.DllPath));
    }

    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

    [GeneratedRegex(@"127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
