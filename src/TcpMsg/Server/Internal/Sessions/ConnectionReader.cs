using System.IO.Pipelines;

namespace TcpMsg.Server.Internal;

/// <summary>
/// The read loop of every connection, written once for the mode detection, plain, confirmed and chat
/// connections: one <c>ReadAsync</c> at a time, the accounting of what arrived (bytes, the idle,
/// handshake and unfinished-message clocks of <see cref="ConnectionState"/>, which the deadline sweep
/// reads), the protocol's framing (<see cref="IReadHandler"/>), <c>AdvanceTo</c> in a <c>finally</c>,
/// and backpressure: while the pipeline is full, the socket is not read.
/// </summary>
/// <remarks>
/// The read takes no token: <c>ConnectionClosed</c> fires soon after a FIN, and a cancelled read would
/// drop the bytes that came with it. The server's own close cancels the pending read instead
/// (<see cref="ConnectionState.Close"/>). Message counts and size limits are the framers' (they know
/// what a message is); the reader gives them the rate limits' allowance for each read.
/// </remarks>
internal sealed class ConnectionReader
{
    private readonly ConnectionState _state;
    private readonly PipeReader _input;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;

    public ConnectionReader(ConnectionState state, MessagePipeline pipeline, ServerStatistics statistics)
    {
        _state = state;
        _input = state.Context.Transport.Input;
        _pipeline = pipeline;
        _statistics = statistics;
    }

    /// <summary>Reads until the handler stops, the peer finishes sending, or the server closes the connection.</summary>
    public async Task<ReadEnd> RunAsync(IReadHandler handler)
    {
        while (true)
        {
            _state.BeginRead();
            var end = OnRead(handler, await _input.ReadAsync().ConfigureAwait(false), out var step);
            if (step == ReadStep.Stop || !await handler.AfterReadAsync().ConfigureAwait(false))
            {
                return ReadEnd.Stopped;
            }

            if (end is { } ended)
            {
                return ended;
            }

            if (_pipeline.IsFull)
            {
                await _pipeline.WaitForRoomAsync(_state.Aborted).ConfigureAwait(false);
                _state.Touch();
            }
        }
    }

    /// <summary>
    /// Counts and frames one read; returns how the connection ended if this read ended it. Not part
    /// of the async loop, so that what a read holds is not kept in the loop's state, which every idle
    /// connection holds for as long as it is open.
    /// </summary>
    private ReadEnd? OnRead(IReadHandler handler, ReadResult result, out ReadStep step)
    {
        var buffer = result.Buffer;
        _state.OnRead(buffer.Length, _statistics);

        // After the server closed the connection, what is left is a fragment, not a last message.
        var finished = result.IsCompleted && _state.AbortReason is null;
        var consumed = buffer.Start;
        var examined = buffer.End;
        try
        {
            step = handler.OnRead(buffer, finished, result.IsCanceled, _state.Allowance(), out consumed, out examined);
        }
        finally
        {
            // Even when the framer threw (a message too large): the complete ones before it were taken.
            _state.Unconsumed = buffer.Slice(consumed).Length;
            _state.OnAdvanced(_state.Unconsumed, !consumed.Equals(buffer.Start));
            _input.AdvanceTo(consumed, examined);
        }

        // Limited (by a rate, or to answer first), the connection is not over: what is left is read again.
        return result.IsCanceled || (result.IsCompleted && step != ReadStep.Limited)
            ? finished ? ReadEnd.PeerFinished : ReadEnd.Closed
            : null;
    }
}
