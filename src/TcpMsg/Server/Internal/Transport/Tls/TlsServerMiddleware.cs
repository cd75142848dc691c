using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport.Tls;

/// <summary>
/// TLS as a connection layer under the protocol (Bedrock style): an <see cref="SslStream"/> over the
/// transport, a handshake bounded by the handshake timeout, then the decrypted stream becomes the
/// connection's transport for the layers above. Every failed handshake is reported with its reason,
/// once per address per interval. A client that asks to renegotiate (TLS 1.2; never allowed) only
/// ends its own connection, with a debug line: it is a client's choice, not a server's problem.
/// </summary>
internal sealed partial class TlsServerMiddleware
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    // A TLS connection starts with a handshake record (RFC 8446 section 5.1: ContentType handshake = 22).
    private const byte HandshakeRecord = 0x16;

    private static readonly TimeSpan s_closeNotifyTimeout = TimeSpan.FromSeconds(1);

    private readonly ConnectionDelegate _next;
    private readonly ServerCertificateStore _certificates;
    private readonly TlsServerOptions _options;
    private readonly TimeSpan _handshakeTimeout;
    private readonly PeerReporter _reporter;
    private readonly MessagePipeline _pipeline;
    private readonly ServerStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TlsServerMiddleware(
        ConnectionDelegate next,
        TcpMsgServerOptions options,
        ServerCertificateStore certificates,
        PeerReporter reporter,
        MessagePipeline pipeline,
        ServerStatistics statistics,
        TimeProvider time,
        ILogger<TlsServerMiddleware> logger)
    {
        _logger = logger;
        _next = next;
        _options = options.Security.Tls!;
        _handshakeTimeout = options.Security.HandshakeTimeout;
        _certificates = certificates;
        _reporter = reporter;
        _pipeline = pipeline;
        _statistics = statistics;
        _time = time;
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var transport = context.Transport;
        var tls = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        var outcome = await HandshakeAsync(context, tls).ConfigureAwait(false);
        if (outcome != Handshake.Done)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            if (outcome == Handshake.Refused)
            {
                // A plain-text client, or one whose certificate SslStream judged after the handshake
                // (it sends no alert then), believes it is in. A reset, instead of a FIN that reads like
                // a normal end, tells it otherwise at its next read: its messages did not arrive.
                Reset(context);
            }

            return;
        }

        context.Features.Set<ITlsConnectionFeature>(new TlsSessionFeature(tls.RemoteCertificate as X509Certificate2, tls.SslProtocol));
        var input = PipeReader.Create(new TlsReadStream(tls, ex => OnBroken(context, ex)), new StreamPipeReaderOptions(leaveOpen: true));
        var output = PipeWriter.Create(tls, new StreamPipeWriterOptions(leaveOpen: true));
        context.Transport = new DuplexPipe(input, output);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Transport = transport;
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
            await CloseAsync(tls).ConfigureAwait(false);
        }
    }

    private enum Handshake
    {
        Done,
        Failed,
        Refused,
    }

    private async Task<Handshake> HandshakeAsync(ConnectionContext context, SslStream tls)
    {
        // Not linked to ConnectionClosed, which fires when the FIN arrives: a client that sends its last
        // bytes and closes at once must still get its handshake finished and its data read.
        using var timeout = new CancellationTokenSource(_handshakeTimeout, _time);
        var material = _certificates.Current;
        string? clientProblem = null;
        try
        {
            var first = await PeekFirstByteAsync(context.Transport.Input, timeout.Token).ConfigureAwait(false);
            if (first is null)
            {
                return Handshake.Failed; // Connected and closed without a byte: a port probe or a health check, not worth a line.
            }

            if (first != HandshakeRecord)
            {
                Fail(context, TcpMsgErrorCode.TlsHandshakeFailed, "the client did not start a TLS handshake (a plain-text client on a TLS endpoint?)");
                return Handshake.Refused;
            }

            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = material.Certificate,
                EnabledSslProtocols = _options.Protocols,
                AllowRenegotiation = false,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            };
            if (material.ClientAuthorities is { } authorities)
            {
                options.ClientCertificateRequired = true;
                options.CertificateChainPolicy = ClientChainPolicy(authorities);
                options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    IsAcceptable(certificate, chain, errors, out clientProblem);
            }

            await tls.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
            return Handshake.Done;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Fail(context, TcpMsgErrorCode.HandshakeTimeout, $"the TLS handshake did not finish within {_handshakeTimeout.TotalSeconds:0.###} s");
            return Handshake.Failed;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or CryptographicException)
        {
            Fail(context, TcpMsgErrorCode.TlsHandshakeFailed, clientProblem ?? Describe(ex));

            return clientProblem is null ? Handshake.Failed : Handshake.Refused;
        }
    }

    /// <summary>Closes the socket with a TCP reset. Kestrel's own close, which follows, finds it closed and lets it be.</summary>
    private static void Reset(ConnectionContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed: nothing left to reset.
            }
        }
    }

    private static X509ChainPolicy ClientChainPolicy(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        policy.ApplicationPolicy.Add(new Oid(ClientAuthentication));
        return policy;
    }

    private static bool IsAcceptable(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, out string? problem)
    {
        problem = certificate is null
            ? "the client presented no certificate; this endpoint requires one signed by its client certificate authority"
            : (errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0
                ? $"the client certificate '{certificate.Subject}' is not trusted: {ChainProblems(chain)}"
                : null;
        return problem is null;
    }

    private static string ChainProblems(X509Chain? chain)
    {
        var problems = chain?.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToList();
        return problems is { Count: > 0 } ? string.Join("; ", problems) : "its chain does not lead to the endpoint's client certificate authority";
    }

    /// <summary>Waits for the first byte without taking it; null when the peer closed before sending any.</summary>
    private static async Task<byte?> PeekFirstByteAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                input.AdvanceTo(buffer.Start, buffer.Start);
                return buffer.FirstSpan[0];
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    private static string Describe(Exception ex)
    {
        // SslStream wraps OpenSSL's own words ("tlsv1 alert unknown ca", "unsupported protocol"); they are the useful part.
        var innermost = ex.GetBaseException().Message.Trim().TrimEnd('.');
        var outer = ex.Message.Trim().TrimEnd('.');
        return innermost == outer || outer.Contains("see inner exception", StringComparison.OrdinalIgnoreCase)
            ? innermost
            : $"{outer}: {innermost}";
    }

    private static async Task CloseAsync(SslStream tls)
    {
        try
        {
            // close_notify before the FIN tells the client the stream ended on purpose, not by truncation.
            await tls.ShutdownAsync().WaitAsync(s_closeNotifyTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException or InvalidOperationException or OperationCanceledException or NotSupportedException
            or CryptographicException or AuthenticationException)
        {
            // The peer is gone or not reading, or the session is mid-handshake (a refused renegotiation:
            // OpenSSL's "shutdown while in init"); the transport's close follows regardless.
        }

        await tls.DisposeAsync().ConfigureAwait(false);
    }

    private void Fail(ConnectionContext context, TcpMsgErrorCode code, string reason)
    {
        _statistics.OnTlsHandshakeFailed();
        var info = ConnectionDescriber.Describe(context, _time.GetUtcNow());
        _reporter.Report(info, code, reason);
    }

    private void OnBroken(ConnectionContext context, Exception ex)
    {
        if (IsRenegotiation(ex))
        {
            LogRenegotiationRefused(context.ConnectionId, context.RemoteEndPoint);
            return;
        }

        var info = ConnectionDescriber.Describe(context, _time.GetUtcNow());
        _pipeline.Publish(new ConnectionError(info, _time.GetUtcNow(), TcpMsgErrorCode.ProtocolError, $"TLS: {Describe(ex)}"));
    }

    // SslStream says so only in its message (SR.net_ssl_renegotiate_data: "...requested renegotiation
    // when AllowRenegotiation was set to false"); .NET's resources on Linux are English.
    private static bool IsRenegotiation(Exception ex) =>
        ex.Message.Contains("renegotiat", StringComparison.OrdinalIgnoreCase)
        || (ex.InnerException is { } inner && inner.Message.Contains("renegotiat", StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {Peer} asked to renegotiate TLS, which this server does not allow; the connection was closed")]
    private partial void LogRenegotiationRefused(string connectionId, System.Net.EndPoint? peer);

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
