using System.Text;
using TcpMsg.Protocol;

namespace TcpMsg.Tests.Protocol.Syslog;

public sealed class SyslogParserTests
{
    private sealed record Parsed(SyslogFormat Format, string Facility, string Severity, string? Timestamp, string? Host, string? App, string? ProcId, string? MsgId, string? StructuredData, string? Body);

    private static Parsed? Parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!SyslogParser.TryParse(bytes, out var f))
        {
            return null;
        }

        return new Parsed(f.Format, SyslogNames.Facility(f.Facility), SyslogNames.Severity(f.Severity), f.Timestamp.ToString(bytes), f.Host.ToString(bytes),
            f.App.ToString(bytes), f.ProcId.ToString(bytes), f.MsgId.ToString(bytes), f.StructuredData.ToString(bytes), f.Body.ToString(bytes));
    }

    [Fact]
    public void The_rfc5424_examples_parse_into_their_fields()
    {
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc5424, "auth", "crit", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "su", null, "ID47", null, "'su root' failed for lonvick on /dev/pts/8"),
            Parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8"));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc5424, "local4", "notice", "2003-08-24T05:14:15.000003-07:00", "192.0.2.1", "myproc", "8710", null, null, "%% It's time to make the do-nuts."),
            Parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc5424, "local4", "notice", "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", null, "ID47",
                "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]", null),
            Parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]"));
    }

    [Fact]
    public void Structured_data_values_may_hold_escapes_and_chinese_text()
    {
        var parsed = Parse("<12>1 2026-12-03T16:47:10+08:00 host1 app 42 - [x@1 k=\"a\\\"b\\]c\" z=\"你好\"] 世界");

        Assert.NotNull(parsed);
        Assert.Equal("warning", parsed.Severity);
        Assert.Equal(("host1", "app", "42"), (parsed.Host, parsed.App, parsed.ProcId));
        Assert.Equal("[x@1 k=\"a\\\"b\\]c\" z=\"你好\"]", parsed.StructuredData);
        Assert.Equal("世界", parsed.Body);
    }

    [Fact]
    public void Rfc3164_messages_parse_with_and_without_a_host_and_a_pid()
    {
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc3164, "auth", "crit", "Oct 11 22:14:15", "mymachine", "su", null, null, null, "'su root' failed for lonvick on /dev/pts/8"),
            Parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc3164, "user", "notice", "Dec  3 16:47:10", "vm", "accapp", "123", null, null, "你好,世界!!!"),
            Parse("<13>Dec  3 16:47:10 vm accapp[123]: 你好,世界!!!"));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc3164, "user", "notice", "Dec  3 16:47:10", null, "user", null, null, null, "local, no host"),
            Parse("<13>Dec  3 16:47:10 user: local, no host"));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc3164, "daemon", "info", "2026-12-03T16:47:10.123456+00:00", "vm", "sshd", "7", null, null, "ok"),
            Parse("<30>2026-12-03T16:47:10.123456+00:00 vm sshd[7]: ok"));
        Assert.Equal(
            new Parsed(SyslogFormat.Rfc3164, "kern", "emerg", "Dec 13 01:02:03", "router", null, null, null, null, "%LINK-3-UPDOWN no tag here"),
            Parse("<0>Dec 13 01:02:03 router %LINK-3-UPDOWN no tag here"));
    }

    [Theory]
    [InlineData("2023 was a year")]
    [InlineData("<13>hello")]
    [InlineData("<192>1 - - - - - -")]
    [InlineData("<013>1 - - - - - -")]
    [InlineData("<>1 - - - - - -")]
    [InlineData("<13>1 2003-13-11T22:14:15Z h a p m -")]
    [InlineData("<13>1 2003-10-11T22:14:15 h a p m -")]
    [InlineData("<13>1 2003-10-11T22:14:15.1234567Z h a p m -")]
    [InlineData("<13>1 - h a p m [bad")]
    [InlineData("<13>1 - h a p m [id k=\"unterminated]")]
    [InlineData("<13>1 - h a p m [id k=v]")]
    [InlineData("<13>1 - h a p m -x")]
    [InlineData("<13>1 - h a p")]
    [InlineData("<13>1 - h  a p m -")]
    [InlineData("<13>1 - 主机 a p m -")]
    [InlineData("<13>Dec 32 16:47:10 host app: x")]
    [InlineData("<13>Foo  3 16:47:10 host app: x")]
    [InlineData("<13>Dec  3 24:47:10 host app: x")]
    public void Text_that_breaks_the_grammar_is_not_syslog(string text)
    {
        Assert.Null(Parse(text));
    }

    [Fact]
    public void Every_message_is_syslog_when_asked_and_one_without_a_pri_is_user_notice()
    {
        var bytes = "Dec  3 16:47:10 vm app[9]: no pri"u8.ToArray();
        var fields = SyslogParser.ParseAny(bytes);
        Assert.Equal((1, 5, "vm", "app", "no pri"), (fields.Facility, fields.Severity, fields.Host.ToString(bytes), fields.App.ToString(bytes), fields.Body.ToString(bytes)));

        var plain = "2023 was a year"u8.ToArray();
        var whole = SyslogParser.ParseAny(plain);
        Assert.Equal((1, 5, "2023 was a year"), (whole.Facility, whole.Severity, whole.Body.ToString(plain)));
    }

    [Theory]
    [InlineData("warning", 4)]
    [InlineData("WARN", 4)]
    [InlineData("err", 3)]
    [InlineData("error", 3)]
    [InlineData("emerg", 0)]
    [InlineData("debug", 7)]
    [InlineData("6", 6)]
    public void Severities_are_read_by_name_or_number(string text, int expected)
    {
        Assert.True(SyslogNames.TryParseSeverity(text, out var severity));
        Assert.Equal(expected, severity);
    }

    [Theory]
    [InlineData("loud")]
    [InlineData("8")]
    [InlineData("")]
    public void Unknown_severities_are_refused(string text) => Assert.False(SyslogNames.TryParseSeverity(text, out _));
}
