namespace TcpMsg.Protocol;

/// <summary>The base of every exception tcpmsg throws for a protocol, connection or delivery problem.</summary>
public class TcpMsgException : Exception
{
    /// <summary>Creates the exception with a message and, optionally, the exception that caused it.</summary>
    public TcpMsgException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
