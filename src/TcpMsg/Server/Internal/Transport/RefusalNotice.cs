using System.Net.Sockets;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// What a peer refused at accept is told before its socket is closed, so that a client can name the
/// cause instead of guessing from a bare close (docs/protocol.md, "Refused at accept"). A plain
/// endpoint writes one line, <c>tcpmsg: refused (REASON): words</c>, that nc shows as it is and
/// tcpmsg's client reads; a TLS endpoint sends the TLS alert access_denied (49) in a plaintext
/// record, which every TLS client reports ("tlsv1 alert access denied"). One non-blocking send into
/// an empty socket buffer: it never waits, and a peer that is already gone costs nothing.
/// </summary>
internal static class RefusalNotice
{
    /// <summary>The line's prefix: a client that reads it before anything else knows the server refused it.</summary>
    public const string Prefix = "tcpmsg: refused (";

    private static readonly byte[] s_accessDenied = "tcpmsg: refused (access-denied): this address may not connect to this server\n"u8.ToArray();
    private static readonly byte[] s_connectionLimit = "tcpmsg: refused (connection-limit): the server has as many connections as it allows; try again later\n"u8.ToArray();
    private static readonly byte[] s_addressLimit = "tcpmsg: refused (address-limit): this address has as many connections open as the server allows; try again later\n"u8.ToArray();

    // A TLS record (content type 21, alert; version 3.3; length 2) holding a fatal (2) access_denied (49) alert.
    private static readonly byte[] s_tlsAccessDenied = [21, 3, 3, 0, 2, 2, 49];

    /// <summary>The bytes a refused peer is sent for <paramref name="code"/>.</summary>
    public static ReadOnlySpan<byte> For(TcpMsgErrorCode code, bool tls) =>
        tls ? s_tlsAccessDenied
        : code switch
        {
            TcpMsgErrorCode.ConnectionLimit => s_connectionLimit,
            TcpMsgErrorCode.AddressConnectionLimit => s_addressLimit,
            _ => s_accessDenied,
        };

    /// <summary>Sends the notice without waiting; a failure to send changes nothing, the socket is closed next.</summary>
    public static void TrySend(Socket socket, TcpMsgErrorCode code, bool tls)
    {
        try
        {
            socket.Blocking = false;
            socket.Send(For(code, tls), SocketFlags.None, out _);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Gone already: nothing to tell.
        }
    }
}
