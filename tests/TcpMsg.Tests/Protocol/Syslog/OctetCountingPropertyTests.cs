using System.Text;
using CsCheck;
using TcpMsg.Protocol;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Protocol.Syslog;

/// <summary>Property tests: detection and octet counting give the same answer however the bytes are cut.</summary>
public sealed class OctetCountingPropertyTests
{
    private static readonly Gen<string> s_piece = Gen.OneOf("a", "0", "7", " ", "<", ">", "\n", "\r", "中", "你好", "🙂", "\u0000");

    // A syslog-looking message: PRI first, so that the connection is detected as octet-counted.
    private static readonly Gen<string> s_message = Gen.Select(Gen.Int[0, 191], s_piece.Array[0, 20])
        .Select((pri, parts) => $"<{pri}>" + string.Concat(parts))
        .Where(m => !m.EndsWith('\n'));

    private static readonly Gen<int[]> s_cuts = Gen.Int[0, 400].Array[0, 8];

    private static readonly Gen<byte[]> s_hostileBytes = Gen.Frequency(
            (3, Gen.Byte),
            (4, Gen.OneOf((byte)'1', (byte)'2', (byte)'0', (byte)'9', (byte)' ', (byte)'<', (byte)'>', (byte)'\n', (byte)'\r')),
            (1, Gen.OneOf((byte)0xE4, (byte)0xBD, (byte)0xFF)))
        .Array[0, 200];

    [Fact]
    public void Octet_counted_messages_come_back_unchanged_under_any_split()
    {
        Gen.Select(s_message.Array[1, 6], s_cuts, Gen.Bool)
            .Sample(t =>
            {
                var (messages, cuts, lineEnds) = t;
                var wire = Encoding.UTF8.GetBytes(string.Concat(messages.Select(m =>
                    $"{Encoding.UTF8.GetByteCount(m)} {m}" + (lineEnds ? "\n" : string.Empty))));

                var result = DetectingFramingHarness.Run(FramingHarness.Split(wire, cuts));

                Assert.Null(result.Error);
                Assert.Equal(FramingDetection.OctetCounted, result.Detected);
                Assert.Equal(messages, result.Texts);
            }, iter: 3000);
    }

    [Fact]
    public void Lines_that_do_not_start_like_a_frame_are_framed_as_lines_under_any_split()
    {
        var line = s_piece.Array[1, 12].Select(parts => string.Concat(parts)).Where(l => !l.Contains('\n') && !l.EndsWith('\r') && l.Trim('\r').Length > 0);
        Gen.Select(Gen.Int[0, 99999], line, line.Array[0, 4], s_cuts)
            .Where(t => !t.Item2.StartsWith('<') || !t.Item2.Contains('>'))
            .Sample(t =>
            {
                var (number, first, rest, cuts) = t;
                string[] lines = [$"{number} {first}", .. rest];
                var wire = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

                var result = DetectingFramingHarness.Run(FramingHarness.Split(wire, cuts));

                Assert.Null(result.Error);
                Assert.Equal(FramingDetection.Lines, result.Detected);
                Assert.Equal(lines, result.Texts);
            }, iter: 3000);
    }

    [Fact]
    public void Arbitrary_bytes_frame_the_same_in_one_read_as_in_many()
    {
        Gen.Select(s_hostileBytes, s_cuts, Gen.Int[1, 64])
            .Sample(t =>
            {
                var (bytes, cuts, max) = t;

                var once = DetectingFramingHarness.Run([bytes], max);
                var split = DetectingFramingHarness.Run(FramingHarness.Split(bytes, cuts), max);

                Assert.Equal(once.Messages, split.Messages);
                Assert.Equal(once.Detected, split.Detected);
                Assert.Equal(once.Error?.GetType(), split.Error?.GetType());
                Assert.All(once.Messages, m => Assert.InRange(m.Length, 1, max));
            }, iter: 5000);
    }
}
