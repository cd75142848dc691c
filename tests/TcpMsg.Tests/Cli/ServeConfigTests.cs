using System.Net;
using System.Text.Json;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Cli;

/// <summary>
/// <c>serve --config FILE</c>: a JSON file of settings named as the options, parsed and checked as
/// the options are; the command line wins; a setting no option takes is an error, never ignored.
/// </summary>
public sealed class ServeConfigTests : LoopbackTest
{
    [Fact]
    public async Task A_real_server_takes_its_settings_from_the_file()
    {
        var config = await WriteAsync("""
            {
              // the systemd unit passes only --config
              "listen": ["127.0.0.1"],
              "port": 0,
              "no-store": true,
              "format": "json",
              "lang": "en"
            }
            """);
        await using var serve = ChildProcess.StartTcpMsg(["serve", "--config", config]);
        var port = await EndToEndTests.ListeningPortAsync(serve);
        using (var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            await client.SendAsync("configured 你好\n");
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
        }

        await serve.WaitForOutputAsync(o => o.Contains("\"disconnected\"", StringComparison.Ordinal), "the disconnect event");
        var message = serve.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("event").GetString() == "message");
        Assert.Equal("configured 你好", message.GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_option_on_the_command_line_wins_over_the_file()
    {
        var config = await WriteAsync("""{"format": "json", "allow": ["10.0.0.0/8"]}""");
        await using var cli = await InProcessCli.ServeAsync("--config", config, "--format", "text", "--allow", "127.0.0.0/8", "--lang", "en");
        using (var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, cli.Port)))
        {
            await client.SendAsync("from the command line\n");
            Assert.True(await client.ShutdownAndWaitForCloseAsync());
        }

        await cli.Console.WaitForOutputAsync(o => o.Contains("disconnected from the server", StringComparison.Ordinal), "the disconnect line");
        Assert.Contains("127.0.0.1 sent a message>>>from the command line", cli.Console.OutLines);
    }

    [Theory]
    [InlineData("""{"prot": 2024}""", "--config FILE: unknown setting 'prot' (did you mean 'port'?)")]
    [InlineData("""{"no-plain": "yes"}""", "--config FILE: 'no-plain': true or false was expected")]
    [InlineData("""{"allow": {"net": "10.0.0.0/8"}}""", "--config FILE: 'allow': a string, a number or a list of them was expected")]
    [InlineData("""["port", 2024]""", "--config FILE: expected a JSON object of settings, e.g. {\"port\": 2023}")]
    [InlineData("""{"port": 20""", "--config FILE: not valid JSON")]
    [InlineData("""{"port": "abc"}""", "--port: 'abc' is not a whole number")]
    public async Task A_setting_that_no_option_takes_is_one_line_and_exit_code_2(string json, string expected)
    {
        var config = await WriteAsync(json);

        var (code, console) = await InProcessCli.RunAsync("", "serve", "--config", config, "--store", Temp.File("never.db"), "--lang", "en");

        Assert.Equal(2, code);
        Assert.StartsWith("tcpmsg serve: " + expected.Replace("FILE", config, StringComparison.Ordinal), console.ErrorText, StringComparison.Ordinal);
        Assert.Single(console.ErrorText.TrimEnd('\n').Split('\n'));
    }

    private async Task<string> WriteAsync(string json)
    {
        var file = Temp.File($"tcpmsg-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        return file;
    }
}
