namespace TcpMsg.Bench.Peers;

/// <summary>
/// A receiver the scenarios run against: how to start it on a loopback port with its output going to
/// a file, and how to read that file back. One row of <see cref="PeerTable"/>.
/// </summary>
internal abstract class Peer
{
    public abstract string Name { get; }

    /// <summary>The command line, for the report.</summary>
    public abstract string Describe(int port);

    /// <summary>Output lines the peer writes per connection besides messages (tcpmsg: its disconnect line).</summary>
    public virtual int LinesPerConnection => 0;

    /// <summary>False for the bare receiver, which keeps counters instead of writing messages.</summary>
    public virtual bool WritesMessages => true;

    /// <summary>The scenarios this peer runs, or null for all of them.</summary>
    public virtual IReadOnlySet<string>? Scenarios => null;

    /// <summary>Why this peer cannot run here (a tool missing), or null when it can.</summary>
    public abstract string? Unavailable();

    /// <summary>Starts the peer listening on 127.0.0.1:<paramref name="port"/>, its files in <paramref name="directory"/>.</summary>
    public abstract RunningPeer Start(int port, string directory);

    /// <summary>Sorts one output line (without its LF) and extracts the message text from it.</summary>
    public virtual LineKind Classify(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> message)
    {
        message = line;
        return line.IsEmpty ? LineKind.Unrecognized : LineKind.Message;
    }
}
