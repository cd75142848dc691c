namespace TcpMsg.Server.Internal;

/// <summary>Why <see cref="PlainBatchFramer.Frame"/> stopped.</summary>
internal enum PlainFrameResult
{
    /// <summary>Every complete message of the read was added; the rest needs more bytes.</summary>
    NeedMoreData = 0,

    /// <summary>The rate allows no more messages from this read.</summary>
    Limited = 1,

    /// <summary>A message the caller handles itself (not valid UTF-8, or maybe a chat command); call again after it.</summary>
    Pending = 2,

    /// <summary>The batch is full (<see cref="MessageBatch.IsFull"/>): publish it, and call again with another.</summary>
    Full = 3,
}
