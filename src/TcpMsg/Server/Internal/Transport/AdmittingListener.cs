using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// One bound tcpmsg endpoint: accepts sockets, closes at once those whose peer the
/// <see cref="AdmissionGate"/> refuses, and hands the others to Kestrel as connections, each with the
/// <see cref="AdmissionLease"/> the gate gave it (a connection feature). Kestrel's
/// accept loop calls <see cref="AcceptAsync"/>; refused peers are taken care of within one call.
/// When the process is out of file descriptors (or the kernel out of buffers), accepting pauses
/// briefly instead of failing again at once: the waiting peers stay in the kernel's backlog, and a
/// full descriptor table does not turn into a busy loop on every core.
/// </summary>
internal sealed partial class AdmittingListener : IConnectionListener
{
    // How long accepting pauses when the process has no descriptor to spare, and how often that is said.
    private static readonly TimeSpan s_exhaustedPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_exhaustedReportEvery = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly SocketTransportOptions _options;
    private readonly SocketConnectionContextFactory _contexts;
    private readonly AdmissionGate _gate;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _tls;

    // Timestamps of the server's clock; _exhaustedSince is 0 while accepting works.
    private long _exhaustedSince;
    private long _exhaustedReportedAt;
    private int _exhaustedPauses;

    private AdmittingListener(Socket socket, bool tls, SocketTransportOptions options, SocketConnectionContextFactory contexts, AdmissionGate gate, TimeProvider time, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _contexts = contexts;
        _gate = gate;
        _time = time;
        _logger = logger;
        _tls = tls;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }

    public static AdmittingListener Bind(EndPoint endpoint, bool tls, SocketTransportOptions options, SocketConnectionContextFactory contexts, AdmissionGate gate, TimeProvider time, ILogger logger)
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
            return new AdmittingListener(socket, tls, options, contexts, gate, time, logger);
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
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: accepting again at once would fail again at once.
                Exhausted(e);
                await Task.Delay(s_exhaustedPause, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (SocketException)
            {
                // The peer reset before it was accepted; nothing to serve.
                continue;
            }

            if (_exhaustedSince != 0)
            {
                Recovered();
            }

            // Nothing may escape to Kestrel's accept loop: an exception there ends it, and the server
            // would accept no more connections.
            AdmissionLease? lease = null;
            try
            {
                lease = _gate.TryAdmit(accepted.RemoteEndPoint, accepted.LocalEndPoint, out var refusal);
                if (lease is null)
                {
                    RefusalNotice.TrySend(accepted, refusal.Code, _tls);
                    Close(accepted);
                    continue;
                }

                if (accepted.LocalEndPoint is IPEndPoint)
                {
                    accepted.NoDelay = _options.NoDelay;
                }

                var connection = _contexts.Create(accepted);

                // The admission layer takes it from here, and gives it back when the connection ends.
                connection.Features.Set(lease);
                return connection;
            }
            catch (SocketException)
            {
                // Reset between accept and now (or before its endpoints could be read, as Kestrel's own
                // listener allows for): nothing to serve.
                lease?.Dispose();
                accepted.Dispose();
                continue;
            }
            catch (Exception ex)
            {
                LogAdmissionFailed(ex, accepted.RemoteEndPoint);
                lease?.Dispose();
                accepted.Dispose();
                continue;
            }
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

    private void Exhausted(SocketException error)
    {
        var now = Math.Max(1, _time.GetTimestamp());
        _exhaustedPauses++;
        if (_exhaustedSince == 0)
        {
            _exhaustedSince = now;
        }

        if (_exhaustedReportedAt == 0 || _time.GetElapsedTime(_exhaustedReportedAt, now) >= s_exhaustedReportEvery)
        {
            _exhaustedReportedAt = now;
            LogExhausted(EndPoint, error.Message, _exhaustedPauses, (long)s_exhaustedPause.TotalMilliseconds);
        }
    }

    private void Recovered()
    {
        var seconds = _time.GetElapsedTime(_exhaustedSince).TotalSeconds;
        LogRecovered(EndPoint, seconds);
        _exhaustedSince = 0;
        _exhaustedReportedAt = 0;
        _exhaustedPauses = 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot accept connections on {EndPoint}: {Error} (the open-files limit, ulimit -n, is lower than MaxConnections needs?); new clients wait in the kernel's backlog, accepting is retried every {PauseMs} ms ({Pauses} pauses so far)")]
    private partial void LogExhausted(EndPoint endPoint, string error, int pauses, long pauseMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Judging the peer {Peer} at accept failed; its connection was closed")]
    private partial void LogAdmissionFailed(Exception exception, EndPoint? peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepting connections on {EndPoint} again after {Seconds:0.#} s")]
    private partial void LogRecovered(EndPoint endPoint, double seconds);

    /// <summary>A FIN first, as Kestrel closes a connection; whatever the peer sent unread makes it a reset.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            // What the peer sent already (a confirmed client's preamble) is read away, so that the close
            // is a FIN and the notice before it reaches the peer instead of being cut off by a reset.
            if (socket.Available > 0)
            {
                Span<byte> scratch = stackalloc byte[512];
                socket.Blocking = false;
                socket.Receive(scratch, SocketFlags.None, out _);
            }

            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }

        socket.Dispose();
    }
}
