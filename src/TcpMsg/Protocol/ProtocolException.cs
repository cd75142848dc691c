namespace TcpMsg.Protocol;

/// <summary>A peer broke the protocol: a malformed, unknown or oversized confirmed-mode frame, or a bad octet-counted (RFC 6587) frame.</summary>
public sealed class ProtocolException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException(ProtocolErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The error code to send to the peer.</summary>
    public ProtocolErrorCode Code { get; }
}
