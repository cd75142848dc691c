namespace TcpMsg.Protocol;

/// <summary>
/// The bytes at the start of a connection are not a valid PROXY protocol header. The connection must
/// be closed: the specification forbids guessing.
/// </summary>
internal sealed class ProxyProtocolException : TcpMsgException
{
    /// <summary>Creates the exception with a one-line English reason.</summary>
    public ProxyProtocolException(string message)
        : base(TcpMsgErrorCode.ProxyProtocolError, message)
    {
    }
}
