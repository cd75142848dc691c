namespace TcpMsg.Protocol;

/// <summary>The public code of each wire code.</summary>
internal static class ProtocolErrorCodes
{
    public static TcpMsgErrorCode ToErrorCode(this ProtocolErrorCode code) => code switch
    {
        ProtocolErrorCode.TooLarge => TcpMsgErrorCode.MessageTooLarge,
        ProtocolErrorCode.InvalidUtf8 => TcpMsgErrorCode.InvalidUtf8,
        ProtocolErrorCode.StoreFailed => TcpMsgErrorCode.StoreFailed,
        ProtocolErrorCode.Version => TcpMsgErrorCode.UnsupportedVersion,
        ProtocolErrorCode.Unauthorized => TcpMsgErrorCode.Unauthorized,
        ProtocolErrorCode.ShuttingDown => TcpMsgErrorCode.ShuttingDown,
        ProtocolErrorCode.TooSlow => TcpMsgErrorCode.SlowConsumer,
        ProtocolErrorCode.ClientIdInUse => TcpMsgErrorCode.ClientIdInUse,
        _ => TcpMsgErrorCode.ProtocolError,
    };
}
