using System.Buffers;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// The bytes of a message longer than a connection's window, moved out of the transport's buffer
/// into chunks of the <see cref="ReadBudget"/>, so that the socket can be read on. Consumed from the
/// front as the message is framed; every chunk goes back to the budget when it is done.
/// </summary>
internal sealed class SpillBuffer
{
    private readonly ReadBudget _budget;
    private readonly List<byte[]> _chunks = [];

    // The first unconsumed byte in the first chunk, and the bytes used in the last one.
    private int _head;
    private int _tail;

    public SpillBuffer(ReadBudget budget) => _budget = budget;

    public long Length { get; private set; }

    /// <summary>Copies <paramref name="bytes"/> to the end.</summary>
    public void Append(in ReadOnlySequence<byte> bytes)
    {
        foreach (var memory in bytes)
        {
            var span = memory.Span;
            while (!span.IsEmpty)
            {
                if (_chunks.Count == 0 || _tail == ReadBudget.ChunkSize)
                {
                    _chunks.Add(_budget.RentChunk());
                    _tail = 0;
                }

                var room = _chunks[^1].AsSpan(_tail);
                var n = Math.Min(room.Length, span.Length);
                span[..n].CopyTo(room);
                span = span[n..];
                _tail += n;
            }
        }

        Length += bytes.Length;
        _budget.OnBuffered(bytes.Length);
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front; chunks emptied go back to the budget.</summary>
    public void Consume(long count)
    {
        Length -= count;
        _budget.OnBuffered(-count);
        var offset = _head + count;
        var done = 0;
        while (done < _chunks.Count - 1 && offset >= ReadBudget.ChunkSize)
        {
            _budget.ReturnChunk(_chunks[done]);
            offset -= ReadBudget.ChunkSize;
            done++;
        }

        _chunks.RemoveRange(0, done);
        _head = (int)offset;
        if (Length == 0)
        {
            Clear();
        }
    }

    public void Clear()
    {
        _budget.OnBuffered(-Length);
        foreach (var chunk in _chunks)
        {
            _budget.ReturnChunk(chunk);
        }

        _chunks.Clear();
        _head = 0;
        _tail = 0;
        Length = 0;
    }

    /// <summary>Adds the unconsumed bytes to <paramref name="builder"/>.</summary>
    public void AddTo(SequenceBuilder builder)
    {
        for (var i = 0; i < _chunks.Count; i++)
        {
            var start = i == 0 ? _head : 0;
            var end = i == _chunks.Count - 1 ? _tail : ReadBudget.ChunkSize;
            builder.Add(_chunks[i].AsMemory(start, end - start));
        }
    }
}
