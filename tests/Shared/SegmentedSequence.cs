using System.Buffers;

namespace TcpMsg.Testing;

/// <summary>
/// Builds a <see cref="ReadOnlySequence{T}"/> with one segment per chunk, as a pipe hands out data.
/// One source, compiled into the fuzz campaign and the benchmarks (the tests see the fuzz
/// campaign's copy).
/// </summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(IReadOnlyList<ReadOnlyMemory<byte>> chunks)
    {
        if (chunks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (chunks.Count == 1)
        {
            return new ReadOnlySequence<byte>(chunks[0]);
        }

        var first = new Segment(chunks[0], 0);
        var last = first;
        for (var i = 1; i < chunks.Count; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> Create(params byte[][] chunks) =>
        Create(chunks.Select(c => (ReadOnlyMemory<byte>)c).ToList());

    /// <summary><paramref name="bytes"/> cut into segments of <paramref name="segmentSize"/> bytes (the last one shorter).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            chunks.Add(bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset)));
        }

        return Create(chunks);
    }

    /// <summary>The sequence's memory segments, in order, as separate chunks.</summary>
    public static List<ReadOnlyMemory<byte>> Chunks(in ReadOnlySequence<byte> sequence)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        foreach (var memory in sequence)
        {
            if (!memory.IsEmpty)
            {
                chunks.Add(memory);
            }
        }

        return chunks;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
