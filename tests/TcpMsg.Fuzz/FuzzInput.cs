namespace TcpMsg.Fuzz;

/// <summary>One generated input: its bytes, where they are cut into reads, and a small parameter (a size limit).</summary>
public sealed record FuzzInput(byte[] Bytes, int[] Cuts, int Parameter)
{
    /// <summary>The bytes split at <see cref="Cuts"/>, as successive reads.</summary>
    public List<ReadOnlyMemory<byte>> Chunks()
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        foreach (var cut in Cuts.Where(c => c > 0 && c < Bytes.Length).Distinct().Order())
        {
            chunks.Add(Bytes.AsMemory(start, cut - start));
            start = cut;
        }

        chunks.Add(Bytes.AsMemory(start));
        return chunks;
    }

    public override string ToString() =>
        $"parameter {Parameter}, cuts [{string.Join(',', Cuts)}], {Bytes.Length} bytes: {Convert.ToHexString(Bytes)}";
}
