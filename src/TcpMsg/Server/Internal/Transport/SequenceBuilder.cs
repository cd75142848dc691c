using System.Buffers;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Makes one <see cref="ReadOnlySequence{T}"/> of several pieces of memory (a spilled message's
/// chunks and then the transport's buffer), reusing its segment objects from one read to the next:
/// a sequence is valid only until the reader is advanced anyway.
/// </summary>
internal sealed class SequenceBuilder
{
    private readonly List<Segment> _segments = [];
    private int _count;

    public void Reset() => _count = 0;

    public void Add(ReadOnlyMemory<byte> memory)
    {
        if (memory.IsEmpty)
        {
            return;
        }

        if (_count == _segments.Count)
        {
            _segments.Add(new Segment());
        }

        var segment = _segments[_count];
        if (_count == 0)
        {
            segment.Set(memory, 0);
        }
        else
        {
            var previous = _segments[_count - 1];
            segment.Set(memory, previous.RunningIndex + previous.Memory.Length);
            previous.Link(segment);
        }

        _count++;
    }

    public void Add(in ReadOnlySequence<byte> sequence)
    {
        foreach (var memory in sequence)
        {
            Add(memory);
        }
    }

    public ReadOnlySequence<byte> Build()
    {
        if (_count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var last = _segments[_count - 1];
        return new ReadOnlySequence<byte>(_segments[0], 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public void Set(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            Next = null;
        }

        public void Link(Segment next) => Next = next;
    }
}
