using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using TcpMsg.Tls;

namespace TcpMsg.Client;

/// <summary>
/// How a <see cref="MessageClient"/> speaks TLS. By default the server's certificate must chain to the
/// system's trusted authorities and name the host connected to. Immutable; start from <see cref="Default"/>.
/// </summary>
public sealed record TlsClientOptions
{
    /// <summary>TLS 1.2 or 1.3, the server verified against the system's trusted authorities.</summary>
    public static TlsClientOptions Default { get; } = new();

    /// <summary>
    /// The name the server's certificate must carry, also sent as SNI. Null: the host connected to
    /// (an IP address is then matched against the certificate's IP addresses).
    /// </summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// The only authorities trusted to sign the server's certificate (a private CA); null trusts the
    /// system's store. The name check applies either way.
    /// </summary>
    public X509Certificate2Collection? TrustedAuthorities { get; init; }

    /// <summary>A certificate with its private key, for servers that require client certificates.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Intermediate certificates sent along with <see cref="ClientCertificate"/>.</summary>
    public X509Certificate2Collection? ClientCertificateChain { get; init; }

    /// <summary>
    /// Accept any server certificate, trusted or not, for any name. Anyone on the network path can then
    /// read and change the messages. Never the default; for tests against throwaway servers only.
    /// </summary>
    public bool AllowUntrustedServer { get; init; }

    /// <summary>The TLS versions offered: 1.2 and 1.3.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Options from files: a PEM file of trusted authorities, and a client certificate (PEM or PKCS#12) with its key.</summary>
    /// <exception cref="TcpMsgException">A file is missing, unreadable or malformed. (<see cref="TcpMsgErrorCode.CertificateInvalid"/>)</exception>
    public static TlsClientOptions FromFiles(string? authoritiesFile, string? certificateFile, string? keyFile, string? password = null)
    {
        var options = Default;
        if (authoritiesFile is not null)
        {
            options = options with { TrustedAuthorities = TlsCertificateFiles.LoadAuthorities(authoritiesFile) };
        }

        if (certificateFile is not null)
        {
            var (certificate, chain) = TlsCertificateFiles.LoadWithKey(certificateFile, keyFile, password);
            options = options with { ClientCertificate = certificate, ClientCertificateChain = chain };
        }

        return options;
    }
}
