using TcpMsg.Server.Internal.Chat;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Reuses <see cref="MessageBatch"/>es: a connection rents one for a read that framed a message, the
/// dispatcher returns it once every sink has seen it. How many are out at once is bounded by the
/// pipeline's pending limit; the pool keeps at most <see cref="MaxKept"/>.
/// </summary>
internal sealed class MessageBatchPool
{
    private const int MaxKept = 1024;

    // A batch grown past this by a large message gives its buffer back rather than keeping it.
    private const int MaxKeptBytes = 256 * 1024;

    private readonly Stack<MessageBatch> _free = new();
    private readonly LargeBuffers _large = new();
    private readonly Lock _lock = new();

    public MessageBatch Rent(
        ConnectionInfo connection,
        DateTimeOffset timestamp,
        MessageFraming framing,
        string? clientId = null,
        IAckTarget? ackTarget = null,
        ChatMember? chatOrigin = null)
    {
        MessageBatch? batch;
        lock (_lock)
        {
            _free.TryPop(out batch);
        }

        batch ??= new MessageBatch { Large = _large };
        batch.Reset(connection, timestamp, framing, clientId, ackTarget, chatOrigin);
        return batch;
    }

    /// <summary>Lets go of the large buffers kept for reuse (after a burst, before the collection that gives memory back).</summary>
    public void DropKeptLargeBuffers() => _large.Drop();

    public void Return(MessageBatch batch)
    {
        // A buffer a large message grew goes back to the shared pool; the batch is kept, small again.
        batch.ShrinkLarge();
        if (batch.Capacity > MaxKeptBytes)
        {
            return;
        }

        batch.Clear();
        lock (_lock)
        {
            if (_free.Count < MaxKept)
            {
                _free.Push(batch);
            }
        }
    }
}
