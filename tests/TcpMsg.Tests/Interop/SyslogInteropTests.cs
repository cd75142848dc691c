using System.Globalization;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Interop;

/// <summary>
/// Real syslog senders nobody here wrote: util-linux logger over TCP (octet-counted and LF-framed,
/// RFC 5424 and RFC 3164) and a private rsyslogd (its own config, work directory, socket and pid file)
/// forwarding with omfwd in both TCP_Framing modes. The fields arrive as sent, Chinese text included.
/// </summary>
public sealed class SyslogInteropTests : LoopbackTest
{
    private const string Chinese = "你好,世界!!! 日志";

    [Theory]
    [InlineData("--rfc5424", true)]
    [InlineData("--rfc5424", false)]
    [InlineData("--rfc3164", true)]
    [InlineData("--rfc3164", false)]
    public async Task Logger_over_tcp_arrives_with_its_fields(string format, bool octetCount)
    {
        var logger = ExternalTools.Require("logger");
        await using var server = await TestServer.StartAsync();
        string[] args =
        [
            "--tcp", "--server", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture), format,
            "-t", "accapp", "--id=4242", "-p", "local3.warning", .. octetCount ? new[] { "--octet-count" } : [], Chinese + " first",
        ];
        await using (var child = ChildProcess.Start(logger, args))
        {
            Assert.Equal(0, await child.WaitForExitAsync());
        }

        // Two connections: wait for the first one's message, so that the order is known.
        await server.Sink.WaitForMessagesAsync(1);
        await using (var second = ChildProcess.Start(logger, [.. args[..^1], Chinese + " second\nline two"]))
        {
            Assert.Equal(0, await second.WaitForExitAsync());
        }

        var events = await server.Sink.WaitForDisconnectsAsync(2);
        var messages = events.OfType<ReceivedMessage>().ToList();
        var bodies = octetCount ? [Chinese + " first", Chinese + " second\nline two"] : new[] { Chinese + " first", Chinese + " second", "line two" };
        Assert.Equal(bodies.Length, messages.Count);
        for (var i = 0; i < (octetCount ? 2 : 1); i++)
        {
            var syslog = messages[i].Syslog;
            Assert.NotNull(syslog);
            Assert.Equal((format[2..], "local3", "warning", "accapp", "4242", bodies[i]),
                (syslog.Format, syslog.FacilityName, syslog.SeverityName, syslog.App, syslog.ProcId, syslog.Body));
            Assert.Equal(System.Net.Dns.GetHostName(), syslog.Host);
            Assert.NotNull(syslog.Timestamp);
        }
    }

    [Theory]
    [InlineData("octet-counted", "RSYSLOG_SyslogProtocol23Format", "rfc5424")]
    [InlineData("traditional", "RSYSLOG_SyslogProtocol23Format", "rfc5424")]
    [InlineData("octet-counted", "RSYSLOG_TraditionalForwardFormat", "rfc3164")]
    [InlineData("traditional", "RSYSLOG_TraditionalForwardFormat", "rfc3164")]
    public async Task Rsyslog_forwarding_with_omfwd_arrives_with_its_fields(string framing, string template, string expectedFormat)
    {
        var rsyslogd = ExternalTools.Find("rsyslogd") ?? (File.Exists("/usr/sbin/rsyslogd") ? "/usr/sbin/rsyslogd" : ExternalTools.Require("rsyslogd"));
        var logger = ExternalTools.Require("logger");
        await using var server = await TestServer.StartAsync();
        using var directory = new TempDirectory();
        var socket = directory.File("log.sock");
        var config = directory.File("rsyslog.conf");
        Directory.CreateDirectory(directory.File("work"));
        await File.WriteAllTextAsync(config, $"""
            global(workDirectory="{directory.File("work")}")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="{socket}" CreatePath="on")
            action(type="omfwd" target="127.0.0.1" port="{server.Port}" protocol="tcp" TCP_Framing="{framing}" template="{template}")

            """, TestContext.Current.CancellationToken);

        await using var rsyslog = ChildProcess.Start(rsyslogd, ["-n", "-f", config, "-i", directory.File("rsyslogd.pid")]);
        await Eventually.UntilAsync(() => File.Exists(socket) || rsyslog.HasExited, "rsyslogd to open its socket");
        Assert.False(rsyslog.HasExited, rsyslog.Error);

        foreach (var (priority, text) in new[] { ("local3.warning", Chinese), ("user.err", "second 第二") })
        {
            await using var child = ChildProcess.Start(logger, ["-u", socket, "-t", "accapp", "--id=4242", "-p", priority, text]);
            Assert.Equal(0, await child.WaitForExitAsync());
        }

        await server.Sink.WaitUntilAsync(events => events.OfType<ReceivedMessage>().Count() >= 2, what: "two messages forwarded by rsyslog");
        var messages = server.Sink.Messages;
        var expected = new[] { ("local3", "warning", Chinese), ("user", "err", "second 第二") };
        for (var i = 0; i < 2; i++)
        {
            var syslog = messages[i].Syslog;
            Assert.NotNull(syslog);

            // rsyslog keeps the space after the tag's colon as the first character of the message.
            Assert.Equal((expectedFormat, expected[i].Item1, expected[i].Item2, "accapp", "4242", expected[i].Item3),
                (syslog.Format, syslog.FacilityName, syslog.SeverityName, syslog.App, syslog.ProcId, syslog.Body.TrimStart(' ')));
            Assert.Equal(System.Net.Dns.GetHostName().Split('.')[0], syslog.Host);
        }

        Assert.DoesNotContain(server.Sink.Events.OfType<ConnectionError>(), e => true);
    }
}
