using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using TcpMsg.Protocol.Internal;

namespace TcpMsg.Client.Internal;

/// <summary>
/// Plain-mode sending: UTF-8 lines, buffered and written in batches; completing shuts down the
/// sending side (FIN) and waits for the server to close, TCP's four-way close. Nothing is confirmed.
/// </summary>
internal sealed class PlainClientSession : IClientSession
{
    private const byte Lf = (byte)'\n';

    // How much of the start of what a server sends can be its notice.
    private const int NoticeLength = 1024;

    private readonly ClientTransport _transport;
    private readonly HostPort _server;
    private readonly MessageClientOptions _options;
    private readonly byte[] _buffer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _buffered;
    private long _sequence;
    private bool _completed;
    private bool _disposed;

    private PlainClientSession(ClientTransport transport, HostPort server, MessageClientOptions options)
    {
        _transport = transport;
        _server = server;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(options.SendBufferSize, 256));
    }

    public DeliveryStatistics Statistics { get; } = new();

    public IPEndPoint? RemoteEndPoint => _transport.Socket.RemoteEndPoint as IPEndPoint;

    public IPEndPoint? LocalEndPoint => _transport.Socket.LocalEndPoint as IPEndPoint;

    public static async Task<PlainClientSession> ConnectAsync(HostPort server, MessageClientOptions options, CancellationToken cancellationToken) =>
        new(await ClientTransport.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false), server, options);

    public async ValueTask<long> EnqueueAsync(string text, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            await AppendAsync(text, cancellationToken).ConfigureAwait(false);
            Statistics.OnSent();
            return ++_sequence;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> SendAsync(string text, CancellationToken cancellationToken)
    {
        var sequence = await EnqueueAsync(text, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        return 0;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            _completed = true;
            try
            {
                await _transport.ShutdownSendAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                throw TransportErrors.Sending(ex, _server);
            }

            await WaitForCloseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _completed = true;
            await _transport.DisposeAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(_buffer);
            _gate.Dispose();
        }
    }

    private async ValueTask AppendAsync(string text, CancellationToken cancellationToken)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (needed > _buffer.Length - _buffered)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (needed <= _buffer.Length)
        {
            _buffered += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_buffered));
            _buffer[_buffered++] = Lf;
        }
        else
        {
            // Larger than the whole buffer: encode it on its own.
            var exact = Encoding.UTF8.GetByteCount(text) + 1;
            var rented = ArrayPool<byte>.Shared.Rent(exact);
            try
            {
                Encoding.UTF8.GetBytes(text, rented);
                rented[exact - 1] = Lf;
                await WriteAsync(rented.AsMemory(0, exact), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        Statistics.OnDelivered(1, null);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0)
        {
            return;
        }

        var length = _buffered;
        _buffered = 0;
        await WriteAsync(_buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _transport.Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
            // A server that refused the connection said why before it closed; that, not the reset, is the cause.
            throw NoticeAlreadyReceived() is { } notice ? TransportErrors.Refused(notice, _server) : TransportErrors.Sending(ex, _server);
        }
    }

    private async Task WaitForCloseAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CloseTimeout);

        // A plain receiver has nothing to say, and whatever it sends is not ours to show, except a tcpmsg
        // server's notice at the very start: it did not take the messages, and says why.
        var head = new ArrayBufferWriter<byte>(NoticeLength);
        var looking = true;
        ServerNotice? notice = null;
        try
        {
            int read;
            while ((read = await _transport.Stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (looking)
                {
                    head.Write(_buffer.AsSpan(0, Math.Min(read, NoticeLength - head.WrittenCount)));
                    looking = Look(head, isFinal: head.WrittenCount == NoticeLength, ref notice);
                }
            }

            if (looking && head.WrittenCount > 0)
            {
                Look(head, isFinal: true, ref notice);
            }
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
            throw notice is { } said ? TransportErrors.Refused(said, _server) : TransportErrors.Sending(ex, _server);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TcpMsgException(
                TcpMsgErrorCode.TimedOut,
                $"{_server} did not close the connection within {_options.CloseTimeout.TotalSeconds:0.###} s after the client finished; the messages were sent but their arrival is not confirmed");
        }

        if (notice is { } refused)
        {
            throw TransportErrors.Refused(refused, _server);
        }
    }

    /// <summary>Whether to keep looking for a notice at the start of what the server sent.</summary>
    private static bool Look(ArrayBufferWriter<byte> head, bool isFinal, ref ServerNotice? notice)
    {
        switch (ServerNotice.TryRead(new ReadOnlySequence<byte>(head.WrittenMemory), isFinal, out var found))
        {
            case OperationStatus.Done:
                notice = found;
                return false;
            case OperationStatus.NeedMoreData:
                return true;
            default:
                return false;
        }
    }

    /// <summary>A notice the server sent before a write failed, read without waiting (plain TCP only).</summary>
    private ServerNotice? NoticeAlreadyReceived()
    {
        try
        {
            var socket = _transport.Socket;
            if (_options.Tls is not null || socket.Available == 0)
            {
                return null;
            }

            Span<byte> head = stackalloc byte[NoticeLength];
            socket.Blocking = false;
            var read = socket.Receive(head, SocketFlags.None, out _);
            return read > 0 && ServerNotice.TryRead(new ReadOnlySequence<byte>(head[..read].ToArray()), isFinal: true, out var notice) == OperationStatus.Done
                ? notice
                : null;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
