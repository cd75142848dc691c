using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using TcpMsg.Tls;

namespace TcpMsg.Server.Internal.Transport.Tls;

/// <summary>
/// Holds the server's current certificate. Loaded before the server accepts anything (a bad file stops
/// it from starting); loaded again when a file changes. A new certificate applies to new handshakes;
/// open connections keep the one they started with. A bad reload keeps the previous certificate.
/// </summary>
internal sealed partial class ServerCertificateStore : ReloadableFileValue<TlsMaterial>
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private readonly TlsServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ServerCertificateStore(TcpMsgServerOptions options, TimeProvider time, ILogger<ServerCertificateStore> logger)
        : base(options.Security.FileReloadInterval, time)
    {
        _options = options.Security.Tls ?? throw new InvalidOperationException("TLS is not configured.");
        _time = time;
        _logger = logger;
    }

    public TlsMaterial Current => Loaded ?? throw new InvalidOperationException("The TLS certificate is not loaded yet.");

    protected override bool IsConfigured => true;

    protected override IEnumerable<string> Files =>
        new[] { _options.CertificateFile, _options.KeyFile, _options.ClientCertificateAuthorityFile }.OfType<string>();

    protected override bool IsBadFile(Exception exception) => exception is TcpMsgException { Code: TcpMsgErrorCode.CertificateInvalid };

    protected override void OnLoaded(TlsMaterial value) => LogLoaded(value.Description);

    protected override void OnReloaded(TlsMaterial value) => LogReloaded(value.Description);

    protected override void OnReloadFailed(string reason) => LogReloadFailed(reason);

    protected override TlsMaterial Build()
    {
        var (certificate, chain) = TlsCertificateFiles.LoadWithKey(_options.CertificateFile, _options.KeyFile, _options.Password);
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ServerAuthentication))
        {
            throw new TcpMsgException(TcpMsgErrorCode.CertificateInvalid, $"{_options.CertificateFile}: the certificate is not for servers (its extended key usage lacks serverAuth)");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (certificate.NotAfter.ToUniversalTime() < now || certificate.NotBefore.ToUniversalTime() > now)
        {
            LogNotValidNow(_options.CertificateFile, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        }

        var authorities = _options.ClientCertificateAuthorityFile is { } file ? TlsCertificateFiles.LoadAuthorities(file) : null;

        // offline: never fetch missing intermediates over the network; the file must hold the chain.
        // The authorities' names go into the handshake, so clients pick a certificate they sign.
        var context = SslStreamCertificateContext.Create(
            certificate,
            chain,
            offline: true,
            trust: authorities is null ? null : SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true));
        var description = string.Create(
            CultureInfo.InvariantCulture,
            $"{certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z, SHA-256 {certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)[..16]}…");
        return new TlsMaterial(context, authorities, description);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate loaded: {Description}")]
    private partial void LogLoaded(string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate reloaded: {Description}")]
    private partial void LogReloaded(string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate not reloaded, the previous one stays in use: {Reason}")]
    private partial void LogReloadFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {File} is not valid now (valid {NotBefore:u} to {NotAfter:u}); clients will reject it")]
    private partial void LogNotValidNow(string file, DateTime notBefore, DateTime notAfter);
}
