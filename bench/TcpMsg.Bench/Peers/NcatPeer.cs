using System.Globalization;

namespace TcpMsg.Bench.Peers;

/// <summary>
/// <c>ncat -lk</c>: copies what every client sends to its standard output (a file), as it reads it.
/// It knows nothing of messages: with several clients sending at once, reads of different
/// connections interleave in the file and lines are cut, which verification reports as damage.
/// </summary>
internal sealed class NcatPeer : Peer
{
    public override string Name => "ncat";

    public override string? Unavailable() => Tools.Find("ncat") is null ? "ncat is not installed (apt-get install ncat)" : null;

    public override string Describe(int port) => "ncat -lk --recv-only -m 20000 127.0.0.1 PORT > FILE";

    public override RunningPeer Start(int port, string directory)
    {
        var output = Path.Combine(directory, "output.txt");
        var error = Path.Combine(directory, "stderr.txt");
        File.WriteAllBytes(output, []);
        var process = RunningPeer.Launch(
            Tools.Find("ncat")!,
            ["-lk", "--recv-only", "-m", "20000", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture)],
            output,
            error);
        return new RunningPeer(this, process, port, output, error);
    }
}
