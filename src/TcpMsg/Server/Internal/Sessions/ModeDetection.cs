using System.Buffers;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Tells a connection's mode by its first bytes (<see cref="ConfirmedPreamble"/>), as the first handler
/// of its <see cref="ConnectionReader"/>: the preamble is consumed; plain bytes are left unexamined, so
/// the plain session's first read returns them at once.
/// </summary>
internal sealed class ModeDetection : IReadHandler
{
    private readonly ConnectionState _state;

    public ModeDetection(ConnectionState state) => _state = state;

    /// <summary>What the bytes said; <see cref="PreambleMatch.NeedMoreData"/> when the connection ended before they decided.</summary>
    public PreambleMatch Match { get; private set; } = PreambleMatch.NeedMoreData;

    public ReadStep OnRead(in ReadOnlySequence<byte> buffer, bool isFinal, bool isCanceled, long allowance, out SequencePosition consumed, out SequencePosition examined)
    {
        consumed = buffer.Start;
        examined = buffer.End;

        // Closed by the server before the bytes decided: they decide nothing.
        Match = isCanceled && _state.AbortReason is not null ? PreambleMatch.NeedMoreData : ConfirmedPreamble.Match(buffer, isFinal);
        switch (Match)
        {
            case PreambleMatch.Confirmed:
                consumed = buffer.GetPosition(ConfirmedPreamble.Length);
                examined = consumed;
                return ReadStep.Stop;
            case PreambleMatch.Plain:
                examined = buffer.Start;
                return ReadStep.Stop;
            default:
                return ReadStep.Continue;
        }
    }

    public ValueTask<bool> AfterReadAsync() => ValueTask.FromResult(true);
}
