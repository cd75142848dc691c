using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TcpMsg.Tls;

/// <summary>
/// Reads certificates as operators keep them: PEM files (certificate, chain, key; the key possibly in
/// its own file or encrypted) and PKCS#12 files (.pfx, .p12). Every failure is one clear line.
/// </summary>
internal static class TlsCertificateFiles
{
    // Certificate files are small; anything larger is not one and is not read into memory.
    private const long MaxFileSize = 1024 * 1024;

    /// <summary>
    /// Loads a certificate with its private key and any intermediate certificates that follow it.
    /// The format is recognised from the content: PEM if it has a <c>-----BEGIN</c> line, else PKCS#12.
    /// </summary>
    /// <exception cref="TcpMsgException">A file is missing, unreadable, malformed, or the key does not match. (<see cref="TcpMsgErrorCode.CertificateInvalid"/>)</exception>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadWithKey(string certificateFile, string? keyFile = null, string? password = null)
    {
        var content = Read(certificateFile);
        try
        {
            if (!IsPem(content))
            {
                if (keyFile is not null)
                {
                    throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{certificateFile}: a PKCS#12 file holds its own key; do not give a key file");
                }

                var all = X509CertificateLoader.LoadPkcs12Collection(content, password, X509KeyStorageFlags.EphemeralKeySet);
                var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                    ?? throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{certificateFile}: the PKCS#12 file holds no private key");
                var chain = new X509Certificate2Collection();
                chain.AddRange(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
                return (leaf, chain);
            }

            var pem = System.Text.Encoding.ASCII.GetString(content);
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            if (certificates.Count == 0)
            {
                throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{certificateFile}: no CERTIFICATE block found");
            }

            var keyPem = keyFile is null ? pem : System.Text.Encoding.ASCII.GetString(Read(keyFile));
            var withKey = AttachKey(certificates[0], keyPem, password, keyFile ?? certificateFile);
            var rest = new X509Certificate2Collection();
            for (var i = 1; i < certificates.Count; i++)
            {
                rest.Add(certificates[i]);
            }

            return (withKey, rest);
        }
        catch (CryptographicException ex)
        {
            throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{certificateFile}: {ex.Message.TrimEnd('.')}", ex);
        }
    }

    /// <summary>Loads the certificates of a PEM (or DER) file of certificate authorities.</summary>
    /// <exception cref="TcpMsgException">The file is missing, unreadable or holds no certificate. (<see cref="TcpMsgErrorCode.CertificateInvalid"/>)</exception>
    public static X509Certificate2Collection LoadAuthorities(string file)
    {
        var content = Read(file);
        var authorities = new X509Certificate2Collection();
        try
        {
            if (IsPem(content))
            {
                authorities.ImportFromPem(System.Text.Encoding.ASCII.GetString(content));
            }
            else
            {
                authorities.Add(X509CertificateLoader.LoadCertificate(content));
            }
        }
        catch (CryptographicException ex)
        {
            throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{file}: {ex.Message.TrimEnd('.')}", ex);
        }

        return authorities.Count > 0 ? authorities : throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{file}: no CERTIFICATE block found");
    }

    private static X509Certificate2 AttachKey(X509Certificate2 certificate, string keyPem, string? password, string keyFile)
    {
        AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            "1.2.840.113549.1.1.1" => RSA.Create(),
            "1.2.840.10045.2.1" => ECDsa.Create(),
            var oid => throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{keyFile}: unsupported key algorithm {oid} (use RSA or ECDSA)"),
        };
        using (key)
        {
            if (keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                if (password is null)
                {
                    throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{keyFile}: the private key is encrypted; give its password");
                }

                try
                {
                    key.ImportFromEncryptedPem(keyPem, password);
                }
                catch (CryptographicException ex)
                {
                    throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{keyFile}: cannot decrypt the private key (wrong password?)", ex);
                }
            }
            else
            {
                try
                {
                    key.ImportFromPem(keyPem);
                }
                catch (ArgumentException ex)
                {
                    throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{keyFile}: no private key found (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", ex);
                }
            }

            try
            {
                // On Linux an ephemeral key works with SslStream as it is; no export round trip is needed.
                return key is RSA rsa ? certificate.CopyWithPrivateKey(rsa) : certificate.CopyWithPrivateKey((ECDsa)key);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{keyFile}: the private key does not belong to the certificate", ex);
            }
        }
    }

    private static byte[] Read(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{file}: no such file");
            }

            return info.Length > MaxFileSize
                ? throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{file}: larger than 1 MiB; not a certificate file")
                : File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{file}: {ex.Message}", ex);
        }
    }

    private static bool IsPem(ReadOnlySpan<byte> content) => content.IndexOf("-----BEGIN"u8) >= 0;
}
