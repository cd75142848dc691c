using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>The server refused a message: it was not stored.</summary>
public sealed class MessageRejectedException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public MessageRejectedException(long sequence, ProtocolErrorCode code, string reason)
        : base($"message {sequence} rejected ({code}): {reason}")
    {
        Sequence = sequence;
        Code = code;
        Reason = reason;
    }

    /// <summary>The message's sequence number; 0 when the whole connection was refused.</summary>
    public long Sequence { get; }

    /// <summary>Why.</summary>
    public ProtocolErrorCode Code { get; }

    /// <summary>The server's explanation.</summary>
    public string Reason { get; }

    /// <summary>True when sending the message again later may succeed.</summary>
    public bool IsRetryable => Code is ProtocolErrorCode.StoreFailed or ProtocolErrorCode.ShuttingDown;
}
