using System.Net;
using System.Net.Sockets;

namespace TcpMsg.Client.Internal;

/// <summary>An open connection to the server: the socket (for shutting down its sending side) and the stream to use.</summary>
internal sealed class ClientTransport : IAsyncDisposable
{
    private ClientTransport(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }

    /// <summary>What to read and write: the socket's stream, or the TLS stream over it.</summary>
    public Stream Stream { get; }

    /// <summary>Resolves <paramref name="server"/> and tries each address in turn within the connect timeout.</summary>
    /// <exception cref="TcpMsgException">The host was not found, refused, unreachable, or too slow.</exception>
    public static async Task<ClientTransport> ConnectAsync(HostPort server, MessageClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var connected = false;
        try
        {
            var addresses = await HostResolver.ResolveAsync(server, timeout.Token).ConfigureAwait(false);
            SocketException? last = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, server.Port), timeout.Token).ConfigureAwait(false);
                    connected = true;
                    return new ClientTransport(socket, await TlsClientConnector.OpenAsync(socket, server, options, timeout.Token).ConfigureAwait(false));
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    last = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw SocketErrorMapper.Connecting(last!, server);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && connected && options.Tls is not null)
        {
            // The socket connected and the TLS handshake got no answer: a plain endpoint waits for a line.
            throw new TcpMsgException(
                TcpMsgErrorCode.TimedOut,
                $"connected to {server}, but it did not answer the TLS handshake within {options.ConnectTimeout.TotalSeconds:0.###} s (is it a TLS endpoint?)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TcpMsgException(
                TcpMsgErrorCode.TimedOut,
                $"timed out connecting to {server} after {options.ConnectTimeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Ends the sending side: TLS's close_notify first, if any; then the peer reads the end of the stream (FIN).</summary>
    public async Task ShutdownSendAsync()
    {
        await TlsClientConnector.ShutdownAsync(Stream).ConfigureAwait(false);
        Socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        Socket.Dispose();
    }
}
