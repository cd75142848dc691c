using System.Buffers;

namespace TcpMsg.Server.Internal;

/// <summary>What a connection's protocol does with its bytes, driven by the one <see cref="ConnectionReader"/>.</summary>
internal interface IReadHandler
{
    /// <summary>
    /// Frames what one read holds and hands on the complete messages (or frames), at most
    /// <paramref name="allowance"/> messages (the rate limits'). Says how far it consumed and examined.
    /// </summary>
    /// <param name="buffer">Everything unconsumed, the new bytes included.</param>
    /// <param name="isFinal">The peer finished sending (FIN) and the server did not close: nothing more will come.</param>
    /// <param name="isCanceled">The server closed the connection (<see cref="ConnectionState.Close"/>) and woke the read.</param>
    /// <param name="allowance">The messages the rate limits allow from this read; <see cref="long.MaxValue"/> without limits.</param>
    /// <param name="consumed">Where the unconsumed bytes start.</param>
    /// <param name="examined">How far the bytes were looked at: the next read waits for more than this.</param>
    ReadStep OnRead(in ReadOnlySequence<byte> buffer, bool isFinal, bool isCanceled, long allowance, out SequencePosition consumed, out SequencePosition examined);

    /// <summary>Work between reads that may wait (an answer, a goodbye); false ends the loop as <see cref="ReadStep.Stop"/> does.</summary>
    ValueTask<bool> AfterReadAsync();
}
