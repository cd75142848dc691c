namespace TcpMsg.Protocol;

/// <summary>A peer broke the protocol: a malformed, unknown or oversized confirmed-mode frame, or a bad octet-counted (RFC 6587) frame.</summary>
internal sealed class ProtocolException : TcpMsgException
{
    public ProtocolException(ProtocolErrorCode code, string message)
        : base(code.ToErrorCode(), message)
    {
        WireCode = code;
    }

    /// <summary>The error code to send to the peer.</summary>
    public ProtocolErrorCode WireCode { get; }
}
