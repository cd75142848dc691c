using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// One bound tcpmsg endpoint: accepts sockets, closes at once those whose peer the
/// <see cref="AdmissionGate"/> refuses, and hands the others to Kestrel as connections. Kestrel's
/// accept loop calls <see cref="AcceptAsync"/>; refused peers are taken care of within one call.
/// </summary>
internal sealed class AdmittingListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly SocketTransportOptions _options;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly AdmissionGate _gate;

    private AdmittingListener(Socket socket, SocketTransportOptions options, SocketConnectionContextFactory contexts, AdmissionGate gate)
    {
        _socket = socket;
        _options = options;
        _contexts = contexts;
        _gate = gate;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    public static AdmittingListener Bind(EndPoint endpoint, SocketTransportOptions options, SocketConnectionContextFactory contexts, AdmissionGate gate)
    {
        Socket socket;
        try
        {
            socket = options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // What Kestrel's own transport throws, so a busy port is reported the same way.
            throw new AddressInUseException(e.Message, e);
        }

        try
        {
            socket.Listen(options.Backlog);
            return new AdmittingListener(socket, options, contexts, gate);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Unbound: the accept loop ends.
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return null;
            }
            catch (SocketException)
            {
                // The peer reset before it was accepted; nothing to serve.
                continue;
            }

            if (_gate.RefusesAtAccept(accepted.RemoteEndPoint, accepted.LocalEndPoint))
            {
                Close(accepted);
                continue;
            }

            if (accepted.LocalEndPoint is IPEndPoint)
            {
                accepted.NoDelay = _options.NoDelay;
            }

            return _contexts.Create(accepted);
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _contexts.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A FIN first, as Kestrel closes a connection; whatever the peer sent unread makes it a reset.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }

        socket.Dispose();
    }
}
