using System.Net;
using TcpMsg.Client.Internal;

namespace TcpMsg.Client;

/// <summary>
/// Sends text messages to a tcpmsg server. In confirmed mode (the default) every message is
/// acknowledged once the server stored it; many are in flight at once, and with
/// <see cref="MessageClientOptions.RetryFor"/> a lost connection is re-established and what was not
/// acknowledged is resent, never stored twice. Plain mode talks to any TCP receiver.
/// </summary>
/// <remarks>
/// Thread-safe. Dispose it to close the connection at once; <see cref="CompleteAsync"/> closes it properly.
/// A member of a chat room is a <see cref="ChatClient"/>.
/// </remarks>
public sealed class MessageClient : IAsyncDisposable
{
    private readonly IClientSession _session;

    private MessageClient(IClientSession session, bool plain)
    {
        _session = session;
        IsPlain = plain;
    }

    /// <summary>True when the client sends plain lines (<see cref="MessageClientOptions.Plain"/>): nothing is confirmed.</summary>
    public bool IsPlain { get; }

    /// <summary>What was sent and what became of it.</summary>
    public DeliveryStatistics Statistics => _session.Statistics;

    /// <summary>The client id (confirmed mode), or null (plain mode).</summary>
    public string? ClientId => (_session as ConfirmedClientSession)?.ClientId;

    /// <summary>The server's address and port, while connected.</summary>
    public IPEndPoint? RemoteEndPoint => _session.RemoteEndPoint;

    /// <summary>This client's address and port, while connected.</summary>
    public IPEndPoint? LocalEndPoint => _session.LocalEndPoint;

    /// <summary>
    /// Connects to <paramref name="host"/> on <paramref name="port"/>; in confirmed mode also completes the handshake (the
    /// server's WELCOME), so a peer that is not a tcpmsg server is found out here.
    /// </summary>
    /// <exception cref="TcpMsgException">Not found, refused, unreachable, too slow, or not a tcpmsg server.</exception>
    public static async Task<MessageClient> ConnectAsync(string host, int port, MessageClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new HostPort(host, port);
        options = (options ?? MessageClientOptions.Default) with { JoinChat = false };

        IClientSession session = options.Plain
            ? await PlainClientSession.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false)
            : await ConfirmedClientSession.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false);
        return new MessageClient(session, options.Plain);
    }

    /// <summary>
    /// Sends <paramref name="text"/> and waits until the server acknowledged it (confirmed mode) or
    /// it was written to the socket (plain mode).
    /// </summary>
    /// <returns>
    /// The id the store gave the message, when the server said it: it names the last message of each
    /// acknowledgement, so a message acknowledged together with later ones, a message sent in plain
    /// mode and one stored by a server without a store get 0.
    /// </returns>
    /// <exception cref="TcpMsgException">The server refused the message, or the connection was lost for good before the acknowledgement.</exception>
    public Task<long> SendAsync(string text, CancellationToken cancellationToken = default) =>
        _session.SendAsync(text, cancellationToken);

    /// <summary>
    /// Queues <paramref name="text"/> without waiting for its acknowledgement: waits only while the
    /// window of unacknowledged messages is full, so a stream of messages flows without a round trip
    /// each. Returns the message's sequence number. <see cref="CompleteAsync"/> reports any failure.
    /// </summary>
    public ValueTask<long> EnqueueAsync(string text, CancellationToken cancellationToken = default) =>
        _session.EnqueueAsync(text, cancellationToken);

    /// <summary>
    /// Finishes: waits until every message is acknowledged (confirmed mode), then ends the
    /// conversation the way TCP means it to end: the client finishes sending (FIN) and waits for the
    /// server to close.
    /// </summary>
    /// <exception cref="TcpMsgException">Some messages were not delivered. (<see cref="TcpMsgErrorCode.NotDelivered"/>)</exception>
    /// <exception cref="TcpMsgException">Plain mode: the connection was reset, or the server did not close in time.</exception>
    public Task CompleteAsync(CancellationToken cancellationToken = default) => _session.CompleteAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _session.DisposeAsync();

}
