using System.Text;
using TcpMsg.Server;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Server.Syslog;

public sealed class SyslogServerTests : LoopbackTest
{
    private static string Frame(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    [Fact]
    public async Task Octet_counted_syslog_arrives_as_messages_with_their_fields()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(Frame("<156>1 2026-12-03T16:47:10.123456+08:00 vm accapp 77 ID1 [x@1 k=\"v\"] 第一行\n第二行") + Frame("<13>Dec  3 16:47:10 vm cron[9]: 你好"));
        client.Close();
        await server.Sink.WaitForDisconnectsAsync(1);

        var messages = server.Sink.Messages;
        Assert.Equal(2, messages.Count);
        var first = messages[0].Syslog;
        Assert.NotNull(first);
        Assert.Equal(("rfc5424", "local3", "warning", "2026-12-03T16:47:10.123456+08:00", "vm", "accapp", "77", "ID1", "[x@1 k=\"v\"]", "第一行\n第二行"),
            (first.Format, first.FacilityName, first.SeverityName, first.Timestamp, first.Host, first.App, first.ProcId, first.MsgId, first.StructuredData, first.Body));
        Assert.Equal(("rfc3164", "user", "notice", "vm", "cron", "9", "你好"),
            (messages[1].Syslog!.Format, messages[1].Syslog!.FacilityName, messages[1].Syslog!.SeverityName, messages[1].Syslog!.Host, messages[1].Syslog!.App, messages[1].Syslog!.ProcId, messages[1].Syslog!.Body));
        Assert.Equal("<13>Dec  3 16:47:10 vm cron[9]: 你好", messages[1].Text);
    }

    [Fact]
    public async Task A_plain_line_that_starts_with_digits_or_breaks_syslog_is_kept_whole_as_plain_text()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("2023 was a year\n<13>not a syslog header\n<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - ok\n");
        client.Close();
        await server.Sink.WaitForDisconnectsAsync(1);

        Assert.Equal(["2023 was a year", "<13>not a syslog header", "<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - ok"], server.Sink.Texts);
        Assert.Equal([false, false, true], server.Sink.Messages.Select(m => m.Syslog is not null));
        Assert.Equal("su", server.Sink.Messages[2].Syslog!.App);
    }

    [Theory]
    [InlineData("5 <13>a\n012 <13>b", "starts with 0")]
    [InlineData("5 <13>a\n12x", "not SP")]
    [InlineData("30 <13>cut short", "ended inside an octet-counted frame (13 of 30 bytes)")]
    public async Task A_bad_octet_count_is_a_protocol_error_after_the_good_frames(string wire, string detail)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync(wire);
        client.Close();
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.ProtocolError, error.Code);
        Assert.Contains(detail, error.Detail, StringComparison.Ordinal);
        Assert.Equal(wire.StartsWith("5 ", StringComparison.Ordinal) ? ["<13>a"] : [], server.Sink.Texts);
        Assert.Equal(TcpMsgErrorCode.ProtocolError, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task A_count_over_the_maximum_message_size_closes_the_connection_as_too_large()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { MaxMessageSize = 100 });
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("101 <13>");
        var events = await server.Sink.WaitForDisconnectsAsync(1);

        var error = Assert.Single(events.OfType<ConnectionError>());
        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(TcpMsgErrorCode.MessageTooLarge, events.OfType<ClientDisconnected>().Single().Reason);
    }

    [Fact]
    public async Task With_syslog_off_octet_counts_and_headers_stay_in_the_text()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Syslog = SyslogMode.Off });
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("22 <13>Dec  3 16:47:10 vm\n");
        client.Close();
        await server.Sink.WaitForDisconnectsAsync(1);

        var message = Assert.Single(server.Sink.Messages);
        Assert.Equal("22 <13>Dec  3 16:47:10 vm", message.Text);
        Assert.Null(message.Syslog);
    }

    [Fact]
    public async Task With_syslog_on_a_line_without_a_pri_is_user_notice()
    {
        await using var server = await TestServer.StartAsync(TcpMsgServerOptions.Default with { Syslog = SyslogMode.On });
        using var client = await RawClient.ConnectAsync(server.EndPoint);

        await client.SendAsync("你好,世界!!!\n");
        client.Close();
        await server.Sink.WaitForDisconnectsAsync(1);

        var syslog = Assert.Single(server.Sink.Messages).Syslog;
        Assert.NotNull(syslog);
        Assert.Equal(("user", "notice", null, "你好,世界!!!"), (syslog.FacilityName, syslog.SeverityName, syslog.Host, syslog.Body));
    }
}
