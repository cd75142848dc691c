namespace TcpMsg;

/// <summary>
/// The one exception tcpmsg throws for a connection, delivery, protocol, store, listening or
/// configuration problem. <see cref="Code"/> says what went wrong and is stable across versions:
/// a program decides by the code, and words its own message from it; <see cref="Exception.Message"/>
/// is one line of English for logs.
/// </summary>
public class TcpMsgException : Exception
{
    /// <summary>Creates the exception with its code, a message and, optionally, the exception that caused it.</summary>
    public TcpMsgException(TcpMsgErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>What went wrong.</summary>
    public TcpMsgErrorCode Code { get; }

    /// <summary>
    /// What the error is about, when it is one thing: the endpoint that could not be listened on
    /// (<c>127.0.0.1:2023</c>), the file that could not be read, the option whose value is not valid
    /// (its property name, such as <c>MaxMessageSize</c>), the chat name that was refused; else null.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>The server's own words, when the server refused something (an ERROR frame's reason, the chat room's answer); else null.</summary>
    public string? Reason { get; init; }
}
