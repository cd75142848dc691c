using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// A certificate authority made at run time (no keys are checked in), the certificates it issues,
/// and a temporary directory to write them to as PEM or PKCS#12 files.
/// </summary>
public sealed class TestPki : IDisposable
{
    private static readonly Oid s_serverAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestPki(X509Certificate2 authority, string directory)
    {
        Authority = authority;
        Directory = directory;
        AuthorityFile = WritePem(authority, "ca.pem", withKey: false);
    }

    public X509Certificate2 Authority { get; }

    public string Directory { get; }

    /// <summary>The authority's certificate as PEM, for --tls-ca and --tls-client-ca.</summary>
    public string AuthorityFile { get; }

    public static TestPki Create(string name = "tcpmsg test CA")
    {
        var directory = Path.Combine(Path.GetTempPath(), "tcpmsg-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestPki(authority, directory);
    }

    /// <summary>A server certificate for localhost, 127.0.0.1 and ::1 (or the names given).</summary>
    public X509Certificate2 IssueServer(string commonName = "localhost", string[]? dnsNames = null, IPAddress[]? addresses = null, bool rsa = false, DateTimeOffset? notAfter = null) =>
        Issue($"CN={commonName}", s_serverAuth, dnsNames ?? ["localhost"], addresses ?? [IPAddress.Loopback, IPAddress.IPv6Loopback], rsa, notAfter);

    /// <summary>A client certificate with the given subject.</summary>
    public X509Certificate2 IssueClient(string subject = "CN=alice,O=tcpmsg tests") => Issue(subject, s_clientAuth, [], [], rsa: false, null);

    /// <summary>Writes the certificate (and, by default, its private key after it) as PEM; returns the path.</summary>
    public string WritePem(X509Certificate2 certificate, string fileName, bool withKey = true)
    {
        var path = Path.Combine(Directory, fileName);
        var pem = certificate.ExportCertificatePem() + "\n";
        if (withKey)
        {
            pem += KeyPem(certificate);
        }

        File.WriteAllText(path, pem);
        return path;
    }

    /// <summary>Writes the private key alone as PEM, optionally encrypted with <paramref name="password"/>.</summary>
    public string WriteKeyPem(X509Certificate2 certificate, string fileName, string? password = null)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, KeyPem(certificate, password));
        return path;
    }

    /// <summary>Writes the certificate, its key and the authority as a PKCS#12 file.</summary>
    public string WritePfx(X509Certificate2 certificate, string fileName, string? password = null)
    {
        var path = Path.Combine(Directory, fileName);
        var collection = new X509Certificate2Collection { certificate, Authority };
        File.WriteAllBytes(path, collection.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password));
        return path;
    }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file; the temp directory is cleaned by the system.
        }
    }

    private static string KeyPem(X509Certificate2 certificate, string? password = null)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!;
        using (key)
        {
            return password is null
                ? key.ExportPkcs8PrivateKeyPem()
                : key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        }
    }

    private X509Certificate2 Issue(string subject, Oid usage, string[] dnsNames, IPAddress[] addresses, bool rsa, DateTimeOffset? notAfter)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA r
            ? new CertificateRequest(subject, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                names.AddDnsName(name);
            }

            foreach (var address in addresses)
            {
                names.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(7);
        var notBefore = end < DateTimeOffset.UtcNow ? end.AddDays(-2) : DateTimeOffset.UtcNow.AddHours(-1);
        using var authorityKey = Authority.GetECDsaPrivateKey()!;
        using var issued = request.Create(Authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), notBefore, end, serial);
        return key is RSA rsaKey ? issued.CopyWithPrivateKey(rsaKey) : issued.CopyWithPrivateKey((ECDsa)key);
    }
}
