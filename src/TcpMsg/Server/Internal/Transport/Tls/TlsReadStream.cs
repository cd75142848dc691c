using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;

namespace TcpMsg.Server.Internal.Transport.Tls;

/// <summary>
/// Reads the decrypted stream for the protocol handler. A TLS stream that breaks after the handshake
/// (a record that fails to decrypt, a cut in the middle of a record) is reported once through
/// <c>onBroken</c> and then surfaces as a reset: the connection ended abnormally and an unfinished
/// message is discarded, exactly as after a TCP reset.
/// </summary>
internal sealed class TlsReadStream : Stream
{
    private readonly SslStream _tls;
    private readonly Action<Exception> _onBroken;

    public TlsReadStream(SslStream tls, Action<Exception> onBroken)
    {
        _tls = tls;
        _onBroken = onBroken;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is (IOException or AuthenticationException) and not ConnectionResetException)
        {
            _onBroken(ex);
            throw new ConnectionResetException($"the TLS stream broke: {ex.Message}", ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
