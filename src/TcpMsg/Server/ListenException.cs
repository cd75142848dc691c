using TcpMsg.Protocol;

namespace TcpMsg.Server;

/// <summary>The server could not listen on an endpoint.</summary>
public sealed class ListenException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public ListenException(string endpoint, ListenFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        Failure = failure;
    }

    /// <summary>The endpoint, as text: <c>*:2023</c>, <c>127.0.0.1:2023</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Why listening failed.</summary>
    public ListenFailure Failure { get; }
}
