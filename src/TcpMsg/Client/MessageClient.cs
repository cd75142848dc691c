using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Client.Internal;

namespace TcpMsg.Client;

/// <summary>
/// Sends text messages to a tcpmsg server, or to any plain TCP receiver. Messages are UTF-8 lines,
/// buffered and written in batches; <see cref="CompleteAsync"/> finishes the conversation the way TCP
/// means it to end: the client shuts down its sending side (FIN) and waits for the server to close.
/// </summary>
/// <remarks>One caller at a time: the client does not lock.</remarks>
public sealed class MessageClient : IAsyncDisposable
{
    private const byte Lf = (byte)'\n';

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly HostPort _server;
    private readonly MessageClientOptions _options;
    private readonly byte[] _buffer;
    private int _buffered;
    private bool _completed;
    private bool _disposed;

    private MessageClient(Socket socket, Stream stream, HostPort server, MessageClientOptions options)
    {
        _socket = socket;
        _stream = stream;
        _server = server;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(options.SendBufferSize, 256));
    }

    /// <summary>The server's address and port.</summary>
    public IPEndPoint? RemoteEndPoint => _socket.RemoteEndPoint as IPEndPoint;

    /// <summary>This client's address and port.</summary>
    public IPEndPoint? LocalEndPoint => _socket.LocalEndPoint as IPEndPoint;

    /// <summary>
    /// Connects to <paramref name="server"/>: resolves its name, then tries each address in turn
    /// within <see cref="MessageClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="TcpMsgConnectionException">The host was not found, refused, unreachable, or too slow.</exception>
    public static async Task<MessageClient> ConnectAsync(
        HostPort server,
        MessageClientOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= MessageClientOptions.Default;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
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
                    var stream = await TlsClientConnector.OpenAsync(socket, server, options, timeout.Token).ConfigureAwait(false);
                    return new MessageClient(socket, stream, server, options);
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
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TcpMsgConnectionException(
                ConnectionFailure.TimedOut,
                $"timed out connecting to {server} after {options.ConnectTimeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Connects to <paramref name="host"/> on <paramref name="port"/>.</summary>
    public static Task<MessageClient> ConnectAsync(string host, int port, MessageClientOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(new HostPort(host, port), options, cancellationToken);

    /// <summary>
    /// Queues <paramref name="text"/> as one line. It is written when the buffer fills, on
    /// <see cref="FlushAsync"/> or on <see cref="CompleteAsync"/>. A plain receiver cannot confirm
    /// arrival; a text containing line ends becomes several messages on a line-framed server.
    /// </summary>
    public async ValueTask SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (needed > _buffer.Length - _buffered)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (needed <= _buffer.Length)
        {
            _buffered += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_buffered));
            _buffer[_buffered++] = Lf;
            return;
        }

        // Larger than the whole buffer: encode it on its own.
        var exact = Encoding.UTF8.GetByteCount(text) + 1;
        var rented = ArrayPool<byte>.Shared.Rent(exact);
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            rented[length] = Lf;
            await WriteAsync(rented.AsMemory(0, exact), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes everything queued to the socket.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_buffered == 0)
        {
            return;
        }

        var length = _buffered;
        _buffered = 0;
        await WriteAsync(_buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the conversation: writes what is queued, shuts down the sending side (FIN) and waits up to
    /// <see cref="MessageClientOptions.CloseTimeout"/> for the server to close, which completes TCP's
    /// four-way close. Anything the server sends meanwhile is read and ignored.
    /// </summary>
    /// <exception cref="TcpMsgConnectionException">The connection was reset, or the server did not close in time.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        try
        {
            await TlsClientConnector.ShutdownAsync(_stream).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            throw TransportErrors.Sending(ex, _server);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CloseTimeout);
        try
        {
            while (await _stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false) > 0)
            {
                // A plain receiver has nothing to say; whatever it sends is not ours to show.
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw TransportErrors.Sending(ex, _server);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TcpMsgConnectionException(
                ConnectionFailure.TimedOut,
                $"{_server} did not close the connection within {_options.CloseTimeout.TotalSeconds:0.###} s after the client finished; the messages were sent but their arrival is not confirmed");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _completed = true;
            _stream.Dispose();
            _socket.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw TransportErrors.Sending(ex, _server);
        }
    }
}
