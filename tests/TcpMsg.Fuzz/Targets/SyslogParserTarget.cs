using System.Text;
using TcpMsg.Protocol;
using TcpMsg.Testing;

namespace TcpMsg.Fuzz.Targets;

/// <summary>
/// <see cref="SyslogParser"/> on generated, mutated and random messages, checked for: a generated
/// message parses into exactly the fields it was written from; every parsed RFC 5424 message writes
/// back to its own bytes from its fields (so no byte is misattributed); every field lies inside the
/// message and holds only what its grammar allows; the same result from one segment as from many.
/// </summary>
public sealed class SyslogParserTarget : IFuzzTarget
{
    private static readonly string[] s_tokens = ["-", "host", "vm.example.com", "app", "42", "ID47", "a[1]", "x:y", "\"", "]"];
    private static readonly string[] s_bodies = ["", "hello", "你好,世界!!!", " leading", "[not sd]", "\uFEFFbom", "a\nb", "🙂"];
    private static readonly string[] s_sd = ["-", "[id@1]", "[id@1 k=\"v\"]", "[a b=\"\\\"\\]\\\\\"][c d=\"你好\"]", "[x y=\"]\"]"];
    private static readonly string[] s_timestamps = ["-", "2003-10-11T22:14:15.003Z", "2026-12-03T16:47:10.123456+08:00", "1985-04-12T23:20:50.52-04:00"];
    private static readonly string[] s_bsdTimestamps = ["Dec  3 16:47:10", "Oct 11 22:14:15", "Feb 29 00:00:60", "2026-12-03T16:47:10Z"];

    public string Name => "syslog-parser";

    // The span parser allocates nothing; the sequence overload rents one buffer of the message's size.
    public long AllocationLimit(FuzzInput input) => 4096 + (2L * input.Bytes.Length);

    public FuzzInput Generate(Random random)
    {
        // The parameter is the seed of the generated message, so that Run knows what it should parse into.
        var seed = random.Next();
        var bytes = Encoding.UTF8.GetBytes(Valid(new Random(seed)).Text);
        bytes = random.Next(10) switch
        {
            < 4 => bytes,
            < 9 => Mutator.Mutate(bytes, random),
            _ => [.. Enumerable.Range(0, random.Next(80)).Select(_ => (byte)random.Next(256))],
        };
        return new FuzzInput(bytes, Mutator.Cuts(bytes.Length, random), seed);
    }

    public string Run(FuzzInput input, AllocationMeter meter)
    {
        var bytes = input.Bytes;
        var (parsed, fields) = meter.Measure(() => (SyslogParser.TryParse(bytes, out var f), f));
        var sequence = SegmentedSequence.Create(input.Chunks());
        var (again, split) = meter.Measure(() => (SyslogParser.TryParse(sequence, out var f), f));
        if (parsed != again || fields != split)
        {
            throw new FuzzFailureException("one segment and many segments parse differently");
        }

        var (text, expected) = Valid(new Random(input.Parameter));
        var generated = bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text));
        if (generated && (!parsed || !Same(expected, fields, bytes)))
        {
            throw new FuzzFailureException($"the generated message '{text}' parsed {(parsed ? "into other fields" : "as not syslog")}");
        }

        if (!parsed)
        {
            return "not syslog";
        }

        Check(fields, bytes);
        return fields.Format == SyslogFormat.Rfc5424 ? "rfc5424" : "rfc3164";
    }

    private static (string Text, string?[] Fields) Valid(Random random)
    {
        var pri = random.Next(192);
        string Pick(string[] from) => from[random.Next(from.Length)];
        string? Nil(string value) => value == "-" ? null : value;
        if (random.Next(2) == 0)
        {
            var (ts, host, app, pid, msgid, sd, body) = (Pick(s_timestamps), Pick(s_tokens), Pick(s_tokens), Pick(s_tokens), Pick(s_tokens), Pick(s_sd), Pick(s_bodies));
            var text = $"<{pri}>1 {ts} {host} {app} {pid} {msgid} {sd}" + (body.Length > 0 ? " " + body : string.Empty);
            var shown = body.StartsWith('\uFEFF') ? body[1..] : body;
            return (text, [pri.ToString(System.Globalization.CultureInfo.InvariantCulture), Nil(ts), Nil(host), Nil(app), Nil(pid), Nil(msgid), Nil(sd), shown.Length > 0 ? shown : null]);
        }

        var (stamp, name, tag, procId, content) = (Pick(s_bsdTimestamps), Pick(["vm", "10.0.0.1", "host.example"]), Pick(["app", "sshd", "CRON"]), random.Next(2) == 0 ? null : "123", Pick(["hello", "你好", "[x]"]));
        var bsd = $"<{pri}>{stamp} {name} {tag}{(procId is null ? string.Empty : $"[{procId}]")}: {content}";
        return (bsd, [pri.ToString(System.Globalization.CultureInfo.InvariantCulture), stamp, name, tag, procId, null, null, content]);
    }

    private static bool Same(string?[] expected, SyslogFields f, byte[] bytes) =>
        expected.SequenceEqual([
            ((f.Facility * 8) + f.Severity).ToString(System.Globalization.CultureInfo.InvariantCulture),
            f.Timestamp.ToString(bytes), f.Host.ToString(bytes), f.App.ToString(bytes), f.ProcId.ToString(bytes),
            f.MsgId.ToString(bytes), f.StructuredData.ToString(bytes), f.Body.ToString(bytes)]);

    private static void Check(SyslogFields f, byte[] bytes)
    {
        if (f.Facility is < 0 or > 23 || f.Severity is < 0 or > 7)
        {
            throw new FuzzFailureException($"facility {f.Facility} or severity {f.Severity} out of range");
        }

        foreach (var field in new[] { f.Timestamp, f.Host, f.App, f.ProcId, f.MsgId, f.StructuredData, f.Body })
        {
            if (field.Start < 0 || field.Length < 0 || field.Start + field.Length > bytes.Length)
            {
                throw new FuzzFailureException($"a field at {field.Start}+{field.Length} lies outside {bytes.Length} bytes");
            }
        }

        foreach (var field in new[] { f.Host, f.App, f.ProcId, f.MsgId })
        {
            if (field.Of(bytes).ContainsAnyExceptInRange((byte)33, (byte)126))
            {
                throw new FuzzFailureException("a header field holds a byte outside PRINTUSASCII");
            }
        }

        if (f.Format == SyslogFormat.Rfc5424)
        {
            CheckWritesBack(f, bytes);
        }
    }

    // HEADER SP SD [SP [BOM] MSG]: written from the fields (as bytes), it must be the input again.
    private static void CheckWritesBack(SyslogFields f, byte[] bytes)
    {
        var close = bytes.AsSpan().IndexOf((byte)'>');
        var header = new List<byte>(Encoding.ASCII.GetBytes(FormattableString.Invariant($"<{(f.Facility * 8) + f.Severity}>")));
        header.AddRange(bytes.AsSpan(close + 1, bytes.AsSpan().IndexOf((byte)' ') - close - 1).ToArray());
        foreach (var field in new[] { f.Timestamp, f.Host, f.App, f.ProcId, f.MsgId, f.StructuredData })
        {
            header.Add((byte)' ');
            header.AddRange(field.IsPresent ? field.Of(bytes).ToArray() : "-"u8.ToArray());
        }

        var rest = bytes.AsSpan(Math.Min(header.Count, bytes.Length));
        var ok = bytes.AsSpan().StartsWith(header.ToArray()) &&
            (rest.IsEmpty || rest.SequenceEqual(" "u8) || rest.SequenceEqual(" \uFEFF"u8) ||
             (rest[0] == (byte)' ' && f.Body.Start >= header.Count + 1 && f.Body.Start + f.Body.Length == bytes.Length &&
              (f.Body.Start == header.Count + 1 || rest[1..].StartsWith("\uFEFF"u8))));
        if (!ok)
        {
            throw new FuzzFailureException("the RFC 5424 fields do not write back to the message");
        }
    }
}
