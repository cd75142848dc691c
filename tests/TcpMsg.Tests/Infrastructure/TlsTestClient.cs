using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A TLS client written straight on SslStream, independent of tcpmsg's own client, to test the server.</summary>
public sealed class TlsTestClient : IAsyncDisposable
{
    private readonly Socket _socket;

    private TlsTestClient(Socket socket, SslStream stream)
    {
        _socket = socket;
        Stream = stream;
    }

    public SslStream Stream { get; }

    /// <summary>The socket under the TLS layer, for tests that write raw bytes past it.</summary>
    public Socket Socket => _socket;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Connects and completes the handshake, trusting <paramref name="authority"/> only.</summary>
    public static async Task<TlsTestClient> ConnectAsync(
        IPEndPoint server,
        X509Certificate2 authority,
        X509Certificate2? clientCertificate = null,
        SslProtocols protocols = SslProtocols.None,
        string targetHost = "localhost",
        Action<X509Certificate?>? seen = null,
        byte[]? before = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WithTimeout();
        if (before is not null)
        {
            await socket.SendAsync(before, SocketFlags.None).WithTimeout();
        }
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = protocols,
            CertificateChainPolicy = policy,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                seen?.Invoke(certificate);
                return errors == SslPolicyErrors.None;
            },
        };
        if (clientCertificate is not null)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, null, offline: true);
        }

        try
        {
            await stream.AuthenticateAsClientAsync(options).WithTimeout();
        }
        catch
        {
            await stream.DisposeAsync();
            socket.Dispose();
            throw;
        }

        return new TlsTestClient(socket, stream);
    }

    public async Task SendAsync(string text)
    {
        await Stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask().WithTimeout();
        await Stream.FlushAsync().WithTimeout();
    }

    /// <summary>close_notify, FIN, then read until the server closes; true when it closed cleanly.</summary>
    public async Task<bool> FinishAsync()
    {
        await Stream.ShutdownAsync().WithTimeout();
        _socket.Shutdown(SocketShutdown.Send);
        return await WaitForServerCloseAsync();
    }

    /// <summary>Reads until the server ends the stream (true) or breaks it (false).</summary>
    public async Task<bool> WaitForServerCloseAsync()
    {
        var buffer = new byte[1024];
        try
        {
            while (await Stream.ReadAsync(buffer).AsTask().WithTimeout() > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _socket.Dispose();
    }
}
