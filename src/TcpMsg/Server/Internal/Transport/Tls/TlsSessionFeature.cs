using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http.Features;

namespace TcpMsg.Server.Internal.Transport.Tls;

/// <summary>What the TLS layer learned in the handshake, for the layers above. The standard feature, so code written for Kestrel's TLS reads it too.</summary>
internal sealed class TlsSessionFeature : ITlsConnectionFeature
{
    public TlsSessionFeature(X509Certificate2? clientCertificate, SslProtocols protocol)
    {
        ClientCertificate = clientCertificate;
        Protocol = protocol;
    }

    public X509Certificate2? ClientCertificate { get; set; }

    public SslProtocols Protocol { get; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
}
