using System.Security.Cryptography.X509Certificates;
using TcpMsg.Tests.Infrastructure;
using TcpMsg.Tls;

namespace TcpMsg.Tests.Tls;

public sealed class TlsCertificateFilesTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void A_pem_with_certificate_and_key_in_one_file_loads_with_its_key()
    {
        var issued = _pki.IssueServer();
        var file = _pki.WritePem(issued, "both.pem");

        var (certificate, chain) = TlsCertificateFiles.LoadWithKey(file);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, certificate.Thumbprint);
        Assert.Empty(chain);
    }

    [Fact]
    public void A_pem_chain_and_a_separate_rsa_key_load_as_leaf_plus_intermediates()
    {
        var issued = _pki.IssueServer(rsa: true);
        var file = _pki.PathOf("chain.pem");
        File.WriteAllText(file, issued.ExportCertificatePem() + "\n" + _pki.Authority.ExportCertificatePem());
        var key = _pki.WriteKeyPem(issued, "key.pem");

        var (certificate, chain) = TlsCertificateFiles.LoadWithKey(file, key);

        Assert.True(certificate.HasPrivateKey);
        Assert.NotNull(certificate.GetRSAPrivateKey());
        Assert.Equal(_pki.Authority.Thumbprint, Assert.Single(chain).Thumbprint);
    }

    [Fact]
    public void An_encrypted_key_needs_its_password()
    {
        var issued = _pki.IssueServer();
        var file = _pki.WritePem(issued, "cert.pem", withKey: false);
        var key = _pki.WriteKeyPem(issued, "key.pem", password: "s3cret");

        Assert.True(TlsCertificateFiles.LoadWithKey(file, key, "s3cret").Certificate.HasPrivateKey);
        Assert.Contains("encrypted; give its password", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(file, key)).Message, StringComparison.Ordinal);
        Assert.Equal($"{key}: cannot decrypt the private key (wrong password?)", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(file, key, "wrong")).Message);
    }

    [Fact]
    public void A_pkcs12_file_loads_with_or_without_a_password()
    {
        var issued = _pki.IssueServer();
        var plain = _pki.WritePfx(issued, "plain.pfx");
        var locked = _pki.WritePfx(issued, "locked.p12", "s3cret");

        var (certificate, chain) = TlsCertificateFiles.LoadWithKey(plain);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, certificate.Thumbprint);
        Assert.Equal(_pki.Authority.Thumbprint, Assert.Single(chain).Thumbprint);
        Assert.True(TlsCertificateFiles.LoadWithKey(locked, password: "s3cret").Certificate.HasPrivateKey);
        Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(locked, password: "wrong"));
        Assert.Contains("holds its own key", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(plain, "key.pem")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused_with_a_clear_line()
    {
        var file = _pki.WritePem(_pki.IssueServer(), "cert.pem", withKey: false);
        var otherKey = _pki.WriteKeyPem(_pki.IssueServer(), "other.key");

        var error = Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(file, otherKey));

        Assert.Equal($"{otherKey}: the private key does not belong to the certificate", error.Message);
    }

    [Fact]
    public void Missing_empty_and_keyless_files_each_say_what_is_wrong()
    {
        var missing = _pki.PathOf("nope.pem");
        var empty = _pki.PathOf("empty.pem");
        File.WriteAllText(empty, "-----BEGIN NOTHING-----\n-----END NOTHING-----\n");
        var keyless = _pki.WritePem(_pki.IssueServer(), "keyless.pem", withKey: false);

        Assert.Equal($"{missing}: no such file", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(missing)).Message);
        Assert.Equal($"{empty}: no CERTIFICATE block found", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(empty)).Message);
        Assert.Contains("no private key found", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadWithKey(keyless)).Message, StringComparison.Ordinal);
        Assert.Equal($"{empty}: no CERTIFICATE block found", Assert.Throws<TcpMsgException>(() => TlsCertificateFiles.LoadAuthorities(empty)).Message);
    }

    [Fact]
    public void Authorities_load_from_pem_or_der()
    {
        var der = _pki.PathOf("ca.der");
        File.WriteAllBytes(der, _pki.Authority.Export(X509ContentType.Cert));

        Assert.Equal(_pki.Authority.Thumbprint, Assert.Single(TlsCertificateFiles.LoadAuthorities(_pki.AuthorityFile)).Thumbprint);
        Assert.Equal(_pki.Authority.Thumbprint, Assert.Single(TlsCertificateFiles.LoadAuthorities(der)).Thumbprint);
    }
}
