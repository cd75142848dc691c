using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace TcpMsg.Client.Internal;

/// <summary>
/// Opens the stream a <see cref="MessageClient"/> writes to: the socket's own stream for plain TCP,
/// or an authenticated <see cref="SslStream"/> over it. Verification failures say exactly what was
/// wrong and what to do about it.
/// </summary>
internal static class TlsClientConnector
{
    public static async Task<Stream> OpenAsync(Socket socket, HostPort server, MessageClientOptions options, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (options.Tls is not { } tls)
        {
            return network;
        }

        var serverName = tls.ServerName ?? server.Host;
        string? problem = null;
        string? option = null;
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            EnabledSslProtocols = tls.Protocols,
            AllowRenegotiation = false,

            // Revocation needs the network (OCSP, CRLs): a client that hangs on an unreachable responder is worse.
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                tls.AllowUntrustedServer || IsTrusted(certificate, chain, errors, serverName, tls.TrustedAuthorities is not null, out problem, out option),
        };
        if (tls.TrustedAuthorities is { } authorities)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(authorities);
            authentication.CertificateChainPolicy = policy;
        }

        if (tls.ClientCertificate is { } certificate)
        {
            authentication.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, tls.ClientCertificateChain, offline: true);
        }

        var stream = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw TransportErrors.Tls(ex, server, problem, option);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Ends TLS properly (close_notify) before the socket's FIN; a no-op for plain TCP.</summary>
    public static async Task ShutdownAsync(Stream stream)
    {
        if (stream is SslStream tls)
        {
            await tls.ShutdownAsync().ConfigureAwait(false);
        }
    }

    private static bool IsTrusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string serverName, bool privateAuthority, out string? problem, out string? option)
    {
        problem = null;
        option = null;
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
        {
            problem = "the server sent no certificate";
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            var status = chain?.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToList();
            var why = status is { Count: > 0 } ? string.Join("; ", status) : "it does not chain to a trusted authority";
            problem = privateAuthority
                ? $"the server's certificate '{certificate.Subject}' is not signed by the given authority: {why}"
                : $"the server's certificate '{certificate.Subject}' is not trusted: {why}";
            option = nameof(TlsClientOptions.TrustedAuthorities);
        }
        else
        {
            problem = $"the server's certificate '{certificate.Subject}' is not valid for the name '{serverName}'";
            option = nameof(TlsClientOptions.ServerName);
        }

        return false;
    }
}
