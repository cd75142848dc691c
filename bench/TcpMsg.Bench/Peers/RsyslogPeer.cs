using System.Globalization;

namespace TcpMsg.Bench.Peers;

/// <summary>
/// rsyslogd from Debian, in the foreground with a configuration and work directory of its own
/// (the system's rsyslog is not touched): imtcp on the port, omfile to a file.
/// </summary>
/// <remarks>
/// Each output line is <c>TIMESTAMP 127.0.0.1 MESSAGE</c>: the raw message after rsyslog's
/// usual prefix of time and sender, which is what tcpmsg's own line holds too (sender and text).
/// The configuration is the one a careful operator would write for throughput: sessions for the
/// idle scenario, a 64 KiB output buffer, large dequeue batches; output is flushed at the end of
/// each batch (rsyslog's default), as tcpmsg flushes after each batch.
/// </remarks>
internal sealed class RsyslogPeer : Peer
{
    private static readonly byte[] s_sender = "127.0.0.1 "u8.ToArray();

    public override string Name => "rsyslog";

    public override string? Unavailable() => Tools.Find("rsyslogd") is null ? "rsyslogd is not installed (apt-get install rsyslog)" : null;

    public override string Describe(int port) => "rsyslogd -n -f rsyslog.conf (imtcp -> omfile, see bench/TcpMsg.Bench/Peers/RsyslogPeer.cs)";

    public override RunningPeer Start(int port, string directory)
    {
        var output = Path.Combine(directory, "output.txt");
        var error = Path.Combine(directory, "stderr.txt");
        var config = Path.Combine(directory, "rsyslog.conf");
        File.WriteAllBytes(output, []);
        File.WriteAllText(config, Configuration(port, directory, output));
        var process = RunningPeer.Launch(
            Tools.Find("rsyslogd")!,
            ["-n", "-f", config, "-i", Path.Combine(directory, "rsyslogd.pid")],
            Path.Combine(directory, "stdout.txt"),
            error);
        return new RunningPeer(this, process, port, output, error);
    }

    public override LineKind Classify(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> message)
    {
        message = default;
        var space = line.IndexOf((byte)' ');
        if (space < 20 || !line[(space + 1)..].StartsWith(s_sender))
        {
            return LineKind.Unrecognized;
        }

        message = line[(space + 1 + s_sender.Length)..];
        return LineKind.Message;
    }

    private static string Configuration(int port, string directory, string output) => string.Create(CultureInfo.InvariantCulture, $$"""
        global(workDirectory="{{directory}}" maxMessageSize="64k")
        module(load="imtcp" MaxSessions="20000")
        template(name="bench" type="string" string="%timegenerated:::date-rfc3339% %fromhost-ip% %rawmsg%\n")
        ruleset(name="bench" queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="1024") {
          action(type="omfile" file="{{output}}" template="bench" ioBufferSize="64k" flushOnTXEnd="on")
        }
        input(type="imtcp" address="127.0.0.1" port="{{port}}" ruleset="bench")

        """);
}
