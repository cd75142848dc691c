using System.Security.Authentication;

namespace TcpMsg.Server;

/// <summary>
/// The server's TLS certificate and client-certificate policy. The files are read at start and read
/// again when they change (checked every <see cref="TcpMsgSecurityOptions.FileReloadInterval"/>); open
/// connections keep the certificate they started with.
/// </summary>
public sealed record TlsServerOptions
{
    /// <summary>
    /// The certificate: a PEM file (the certificate, then any intermediates; the private key too unless
    /// <see cref="KeyFile"/> is given) or a PKCS#12 file (.pfx/.p12) with its key and chain.
    /// </summary>
    public required string CertificateFile { get; init; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The password of a PKCS#12 file or of an encrypted PEM key; null when there is none.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// PEM file of the certificate authorities that sign client certificates. When set, every client
    /// must present a certificate that chains to one of them; its subject is recorded with the connection.
    /// </summary>
    public string? ClientCertificateAuthorityFile { get; init; }

    /// <summary>The TLS versions offered; TLS 1.2 and 1.3. Older versions are refused by <see cref="Validate"/>.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CertificateFile))
        {
            throw new ArgumentException($"{nameof(CertificateFile)} is required.", nameof(CertificateFile));
        }

        if (Protocols == SslProtocols.None || (Protocols & ~(SslProtocols.Tls12 | SslProtocols.Tls13)) != 0)
        {
            throw new ArgumentException($"{nameof(Protocols)} may hold only TLS 1.2 and TLS 1.3.", nameof(Protocols));
        }
    }
}
