using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TcpMsg.Server.Internal.Transport.Tls;

/// <summary>One loaded generation of the server's certificate and client-certificate authorities.</summary>
/// <param name="Certificate">The certificate with its chain, ready for handshakes.</param>
/// <param name="ClientAuthorities">The authorities client certificates must chain to; null when none are required.</param>
/// <param name="Description">Subject, expiry and fingerprint, for the log.</param>
internal sealed record TlsMaterial(SslStreamCertificateContext Certificate, X509Certificate2Collection? ClientAuthorities, string Description);
