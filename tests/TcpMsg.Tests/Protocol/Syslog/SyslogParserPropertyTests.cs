using System.Text;
using CsCheck;
using TcpMsg.Protocol;

namespace TcpMsg.Tests.Protocol.Syslog;

/// <summary>Round trips: fields written the way senders write them parse back into the same fields.</summary>
public sealed class SyslogParserPropertyTests
{
    private static readonly Gen<char> s_printable = Gen.Char['!', '~'];

    private static Gen<string?> Token(int max, Func<char, bool>? allowed = null) =>
        Gen.Frequency(
            (1, Gen.Const((string?)null)),
            (4, s_printable.Where(c => allowed?.Invoke(c) ?? true).Array[1, max].Select(c => (string?)new string(c)).Where(t => t != "-")));

    private static readonly Gen<string> s_body = Gen.OneOf("", "a", " ", "你好,世界!!!", "line\nbreak", "[x] - y", "🙂", "\t").Array[0, 6].Select(p => string.Concat(p));

    private static readonly Gen<string> s_rfc3339 = Gen.Select(Gen.Int[1970, 2099], Gen.Int[1, 12], Gen.Int[1, 28], Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 59], Gen.Int[0, 7])
        .Select((y, mo, d, h, mi, s, kind) => FormattableString.Invariant($"{y:D4}-{mo:D2}-{d:D2}T{h:D2}:{mi:D2}:{s:D2}") + kind switch
        {
            0 => "Z",
            1 => ".003Z",
            2 => ".123456+08:00",
            3 => "-07:00",
            _ => FormattableString.Invariant($".{kind}+00:00"),
        });

    private static readonly Gen<string> s_sdName = s_printable.Where(c => c is not ('=' or ']' or '"')).Array[1, 32].Select(c => new string(c));

    private static readonly Gen<string> s_sdValue = Gen.OneOf("", "3", "a\\\"b", "\\]", "\\\\", "你好", "x y", "]").Array[0, 4].Select(p => string.Concat(p));

    private static readonly Gen<string?> s_structuredData = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (2, Gen.Select(s_sdName, Gen.Select(s_sdName, s_sdValue).Array[0, 3])
            .Select((id, ps) => "[" + id + string.Concat(ps.Select(p => $" {p.Item1}=\"{p.Item2}\"")) + "]")
            .Array[1, 3].Select(e => (string?)string.Concat(e))));

    [Fact]
    public void Rfc5424_fields_round_trip()
    {
        Gen.Select(Gen.Int[0, 191], Gen.Frequency((1, Gen.Const((string?)null)), (3, s_rfc3339.Select(t => (string?)t))), Token(255), Token(48), Token(128), Token(32))
            .Select(s_structuredData, s_body, Gen.Bool, (header, sd, body, bom) => (header, sd, body, bom))
            .Sample(t =>
            {
                var ((pri, timestamp, host, app, procId, msgId), sd, body, bom) = t;
                var text = $"<{pri}>1 {timestamp ?? "-"} {host ?? "-"} {app ?? "-"} {procId ?? "-"} {msgId ?? "-"} {sd ?? "-"}" +
                    (body.Length > 0 ? " " + (bom ? "\uFEFF" : string.Empty) + body : string.Empty);
                var bytes = Encoding.UTF8.GetBytes(text);

                Assert.True(SyslogParser.TryParse(bytes, out var f), text);
                Assert.Equal(
                    (SyslogFormat.Rfc5424, pri / 8, pri % 8, timestamp, host, app, procId, msgId, sd, body.Length > 0 ? body : null),
                    (f.Format, f.Facility, f.Severity, f.Timestamp.ToString(bytes), f.Host.ToString(bytes), f.App.ToString(bytes), f.ProcId.ToString(bytes),
                        f.MsgId.ToString(bytes), f.StructuredData.ToString(bytes), f.Body.ToString(bytes)));
            }, iter: 3000);
    }

    [Fact]
    public void Rfc3164_fields_round_trip()
    {
        var month = Gen.OneOf("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");
        var bsd = Gen.Select(month, Gen.Int[1, 31], Gen.Int[0, 23], Gen.Int[0, 59], Gen.Int[0, 59])
            .Select((m, d, h, mi, s) => FormattableString.Invariant($"{m} {d,2} {h:D2}:{mi:D2}:{s:D2}"));
        var host = s_printable.Array[1, 40].Select(c => new string(c)).Where(h => !h.EndsWith(':') && !h.Contains('[') && h != "-");
        var app = s_printable.Where(c => c is not (':' or '[' or ']')).Array[1, 48].Select(c => new string(c));
        var procId = Token(20, c => c != ']');
        Gen.Select(Gen.Int[0, 191], Gen.OneOf(bsd, s_rfc3339), host, app, procId, s_body.Where(b => !b.StartsWith(' ')))
            .Sample(t =>
            {
                var (pri, timestamp, hostName, appName, pid, body) = t;
                var text = $"<{pri}>{timestamp} {hostName} {appName}{(pid is null ? string.Empty : $"[{pid}]")}: {body}";
                var bytes = Encoding.UTF8.GetBytes(text);

                Assert.True(SyslogParser.TryParse(bytes, out var f), text);
                Assert.Equal(
                    (SyslogFormat.Rfc3164, pri / 8, pri % 8, timestamp, hostName, appName, pid, body.Length > 0 ? body : null),
                    (f.Format, f.Facility, f.Severity, f.Timestamp.ToString(bytes), f.Host.ToString(bytes), f.App.ToString(bytes), f.ProcId.ToString(bytes), f.Body.ToString(bytes)));
            }, iter: 3000);
    }

    [Fact]
    public void Any_bytes_parse_without_throwing_and_every_field_lies_inside_the_message()
    {
        var prefix = Gen.OneOf("<13>1 ", "<165>1 2003-10-11T22:14:15.003Z ", "<34>Oct 11 22:14:15 ", "<0>", "");
        var piece = Gen.OneOf("-", " ", "[", "]", "=", "\"", "\\", "a", ":", "x[1]:", "你", "\uFEFF", "2003-10-11T22:14:15Z");
        Gen.Select(prefix, piece.Array[0, 30])
            .Sample(t =>
            {
                var bytes = Encoding.UTF8.GetBytes(t.Item1 + string.Concat(t.Item2));
                var any = SyslogParser.ParseAny(bytes);
                if (SyslogParser.TryParse(bytes, out var f))
                {
                    Assert.Equal(f, any);
                    foreach (var field in new[] { f.Timestamp, f.Host, f.App, f.ProcId, f.MsgId, f.StructuredData, f.Body })
                    {
                        Assert.InRange(field.Start, 0, bytes.Length);
                        Assert.InRange(field.Start + field.Length, 0, bytes.Length);
                    }
                }
            }, iter: 5000);
    }
}
