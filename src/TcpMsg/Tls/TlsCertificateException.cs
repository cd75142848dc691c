using TcpMsg.Protocol;

namespace TcpMsg.Tls;

/// <summary>A certificate, key or certificate-authority file could not be read or does not fit its use.</summary>
public sealed class TlsCertificateException : TcpMsgException
{
    /// <summary>Creates the exception; <paramref name="message"/> names the file and the problem in one line.</summary>
    public TlsCertificateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
