using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>A client could not connect to a server, or its connection failed.</summary>
public sealed class TcpMsgConnectionException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public TcpMsgConnectionException(ConnectionFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>What went wrong.</summary>
    public ConnectionFailure Failure { get; }
}
