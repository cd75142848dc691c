namespace TcpMsg.Fuzz;

/// <summary>Byte-level mutations of valid inputs: where decoders usually break is near the valid.</summary>
public static class Mutator
{
    private static readonly byte[] s_interesting = [0x00, 0x01, 0x0A, 0x0D, 0x20, 0x2E, 0x3A, 0x30, 0x39, 0x7F, 0x80, 0xFE, 0xFF];

    public static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var edits = 1 + random.Next(4);
        for (var i = 0; i < edits; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = s_interesting[random.Next(s_interesting.Length)]; break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3 when bytes.Count > 0: bytes.RemoveAt(at); break;
                case 4 when bytes.Count > 0: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
                case 5 when bytes.Count > 1:
                    var length = 1 + random.Next(Math.Min(16, bytes.Count - at));
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(length, bytes.Count - at))); // duplicate a run
                    break;
                case 6 when bytes.Count > 1: // a big-endian 16-bit field set to an extreme
                    var value = random.Next(4) switch { 0 => 0, 1 => 0xFFFF, 2 => 0x8000, _ => random.Next(65536) };
                    var where = Math.Min(at, bytes.Count - 2);
                    bytes[where] = (byte)(value >> 8);
                    bytes[where + 1] = (byte)value;
                    break;
                default: bytes.Insert(at, s_interesting[random.Next(s_interesting.Length)]); break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Cut points: none, a few, or one per byte.</summary>
    public static int[] Cuts(int length, Random random) => random.Next(10) switch
    {
        0 => [],
        1 => [.. Enumerable.Range(1, Math.Max(0, length - 1))],
        _ => [.. Enumerable.Range(0, random.Next(6)).Select(_ => random.Next(length + 1))],
    };
}
