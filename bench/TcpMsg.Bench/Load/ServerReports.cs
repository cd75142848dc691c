using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpMsg.Bench.Load;

/// <summary>
/// What tcpmsg's standard error (text format, English) reported about an attack: message timeouts
/// (one line per connection), handshake timeouts and refusals (one line per address per minute,
/// then a summary "N more from ADDRESS"; a run shorter than the minute shows only the first).
/// </summary>
internal sealed partial record ServerReports(long MessageTimeouts, long HandshakeTimeouts, long Refusals, int RefusedAddresses)
{
    public static ServerReports Read(string path)
    {
        long messageTimeouts = 0;
        long handshakeTimeouts = 0;
        long refusals = 0;
        var refusedAddresses = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            lines = [];
        }

        foreach (var line in lines)
        {
            if (line.Contains("took longer than", StringComparison.Ordinal))
            {
                messageTimeouts++;
            }
            else if (line.Contains(": handshake timed out: ", StringComparison.Ordinal))
            {
                handshakeTimeouts += Attempts(line);
            }
            else if (line.Contains(": connection refused: ", StringComparison.Ordinal))
            {
                refusals += Attempts(line);
                refusedAddresses.Add(line[..line.LastIndexOf(':', line.IndexOf(": connection refused: ", StringComparison.Ordinal) - 1)]);
            }
        }

        return new ServerReports(messageTimeouts, handshakeTimeouts, refusals, refusedAddresses.Count);
    }

    /// <summary>1 for a first report, N for a summary of N more.</summary>
    private static long Attempts(string line) =>
        MorePattern().Match(line) is { Success: true } match ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : 1;

    [GeneratedRegex(@": (\d+) more from ")]
    private static partial Regex MorePattern();
}
