using System.Collections;
using TcpMsg.Bench.Peers;

namespace TcpMsg.Bench.Load;

/// <summary>Reads a peer's whole output after a scenario and checks it against the messages sent.</summary>
internal static class Verifier
{
    /// <summary>Checks that messages 0..<paramref name="expected"/>-1 of <paramref name="payload"/> each arrived exactly once, intact.</summary>
    public static Verification Check(RunningPeer peer, Payload payload, long expected) =>
        peer.Peer.WritesMessages ? CheckFile(peer, payload, expected) : CheckCounters(peer.OutputPath, payload, expected);

    private static Verification CheckFile(RunningPeer peer, Payload payload, long expected)
    {
        var tally = new Tally(new BitArray(checked((int)expected)));
        using (var file = new FileStream(peer.OutputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1))
        {
            var buffer = new byte[4 << 20];
            var filled = 0;
            int read;
            while ((read = file.Read(buffer, filled, buffer.Length - filled)) > 0)
            {
                filled += read;
                var consumed = CheckLines(peer.Peer, payload, tally, buffer.AsSpan(0, filled));
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }

            if (filled > 0)
            {
                // A last line without its LF: cut short.
                tally.Damaged++;
            }
        }

        return new Verification
        {
            Expected = expected,
            Intact = tally.Intact,
            Missing = expected - tally.Intact,
            Duplicates = tally.Duplicates,
            Damaged = tally.Damaged,
        };
    }

    private static int CheckLines(Peer peer, Payload payload, Tally tally, ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        int end;
        while ((end = data[consumed..].IndexOf((byte)'\n')) >= 0)
        {
            var line = data.Slice(consumed, end);
            consumed += end + 1;
            var kind = peer.Classify(line, out var message);
            if (kind == LineKind.Other)
            {
                continue;
            }

            if (kind == LineKind.Message && payload.TryMatch(message, out var id) && id < tally.Seen.Length)
            {
                if (tally.Seen[(int)id])
                {
                    tally.Duplicates++;
                }
                else
                {
                    tally.Seen[(int)id] = true;
                    tally.Intact++;
                }
            }
            else
            {
                tally.Damaged++;
            }
        }

        return consumed;
    }

    private static Verification CheckCounters(string path, Payload payload, long expected)
    {
        var counters = BareCounters.Read(path);
        var bytes = (ulong)(expected * payload.LineSize);
        var sum = payload.ByteSum(expected);
        string? mismatch = null;
        if (counters.Bytes != bytes || counters.ByteSum != sum || counters.Lines != (ulong)expected)
        {
            mismatch = $"counted {counters.Lines} lines, {counters.Bytes} bytes, byte sum {counters.ByteSum}; expected {expected}, {bytes}, {sum}";
        }

        return new Verification
        {
            Expected = expected,
            Intact = mismatch is null ? expected : 0,
            Missing = Math.Max(0, expected - (long)counters.Lines),
            Mismatch = mismatch,
        };
    }

    private sealed class Tally(BitArray seen)
    {
        public BitArray Seen { get; } = seen;

        public long Intact { get; set; }

        public long Duplicates { get; set; }

        public long Damaged { get; set; }
    }
}
