using System.Buffers.Binary;

namespace TcpMsg.Bench.Load;

/// <summary>The bare receiver's counters, as it keeps them in its mapped file (five little-endian u64).</summary>
internal readonly record struct BareCounters(ulong Bytes, ulong Lines, ulong ByteSum, ulong Accepted, ulong Closed)
{
    public const int Size = 5 * sizeof(ulong);

    public static BareCounters Read(string path)
    {
        Span<byte> raw = stackalloc byte[Size];
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return RandomAccess.Read(file, raw, 0) < Size ? default : Parse(raw);
    }

    public static BareCounters Parse(ReadOnlySpan<byte> raw) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(raw),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(raw[32..]));
}
