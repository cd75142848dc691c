using System.Globalization;
using System.Text.RegularExpressions;

namespace TcpMsg.Tests.Http;

/// <summary>
/// A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a
/// comment, a HELP or TYPE line, or a sample; a malformed line fails the test that reads it.
/// </summary>
public static partial class PrometheusText
{
    public static Dictionary<string, double> Parse(string text, out Dictionary<string, string> types)
    {
        types = [];
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith("# HELP ", StringComparison.Ordinal) || line == "# EOF")
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4 && MetricName().IsMatch(parts[2]), $"bad TYPE line: {line}");
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                types[parts[2]] = parts[3];
                continue;
            }

            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var value = match.Groups["value"].Value;
            var number = value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples[match.Groups["series"].Value] = number;
        }

        return samples;
    }

    /// <summary>The sum of every series of <paramref name="name"/> whose labels include each of <paramref name="labels"/>.</summary>
    public static double Sum(Dictionary<string, double> samples, string name, params string[] labels) =>
        samples.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (?<value>[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|Inf|NaN)|\+Inf|-Inf|NaN)( -?\d+)?$""")]
    private static partial Regex Sample();
}
