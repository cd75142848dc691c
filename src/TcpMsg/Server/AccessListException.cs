using TcpMsg.Protocol;

namespace TcpMsg.Server;

/// <summary>An allow or deny file could not be read, or holds a line that is not a network.</summary>
public sealed class AccessListException : TcpMsgException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the file, the line and the problem.</summary>
    public AccessListException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
