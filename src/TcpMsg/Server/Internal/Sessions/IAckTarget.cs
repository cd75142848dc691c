using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal;

/// <summary>A confirmed-mode connection, as the dispatcher sees it: where acknowledgements and rejections go.</summary>
internal interface IAckTarget
{
    /// <summary>The message with <paramref name="sequence"/>, and every earlier one, is stored (cumulative).</summary>
    void Acknowledge(long sequence, long id);

    /// <summary>The message with <paramref name="sequence"/> was not stored.</summary>
    void Reject(long sequence, ProtocolErrorCode code, string reason);

    /// <summary>
    /// True once the store failed on one of this connection's messages: from then on none of its
    /// messages may be stored (a later one would commit past the gap), and the connection closes.
    /// </summary>
    bool StoreFailed { get; }
}
