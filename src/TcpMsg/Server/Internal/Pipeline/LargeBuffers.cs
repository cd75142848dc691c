using System.Buffers;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The large buffers (past 64 KiB) that one server's batches reuse for long messages: a pool of its
/// own that keeps a few of each size, so that what it holds after a burst stays small, and that can
/// let go of all it keeps (<see cref="Drop"/>) for the collection after a burst to give the memory back.
/// </summary>
internal sealed class LargeBuffers
{
    private ArrayPool<byte> _pool = New();

    /// <summary>The pool to rent from now; a buffer goes back to the pool it came from.</summary>
    public ArrayPool<byte> Pool => Volatile.Read(ref _pool);

    /// <summary>Lets go of the buffers kept for reuse; buffers out now go back to their old pool, which then goes.</summary>
    public void Drop() => Volatile.Write(ref _pool, New());

    private static ArrayPool<byte> New() => ArrayPool<byte>.Create(maxArrayLength: 16 * 1024 * 1024, maxArraysPerBucket: 32);
}
