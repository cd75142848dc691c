using System.Net;
using System.Runtime.CompilerServices;
using TcpMsg.Client.Internal;
using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>
/// A member of a tcpmsg chat room (a server with <see cref="Server.TcpMsgServerOptions.Chat"/> set): what it posts is
/// stored and relayed to every member with confirmed delivery, and <see cref="ReadAsync"/> gives
/// everything the room sends it, in the room's order. With <see cref="MessageClientOptions.RetryFor"/>
/// it rejoins after a lost connection, resends what was not acknowledged and misses nothing.
/// </summary>
/// <remarks>
/// Thread-safe. A member must keep reading: when <see cref="MessageClientOptions.ChatBufferSize"/>
/// events wait unread, it stops reading from the server, and the server treats it as a slow member.
/// Dispose it to leave at once; <see cref="CompleteAsync"/> leaves once every post is acknowledged.
/// </remarks>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ConfirmedClientSession _session;

    private ChatClient(ConfirmedClientSession session) => _session = session;

    /// <summary>The member's name in the room now (the server picks one when none was asked for).</summary>
    public string? Name => _session.ChatName;

    /// <summary>What was posted and what became of it.</summary>
    public DeliveryStatistics Statistics => _session.Statistics;

    /// <summary>The client id of this member's posts.</summary>
    public string ClientId => _session.ClientId;

    /// <summary>The server's address and port, while connected.</summary>
    public IPEndPoint? RemoteEndPoint => _session.RemoteEndPoint;

    /// <summary>This member's address and port, while connected.</summary>
    public IPEndPoint? LocalEndPoint => _session.LocalEndPoint;

    /// <summary>
    /// Connects to <paramref name="host"/> on <paramref name="port"/> and joins its chat room, as
    /// <see cref="MessageClientOptions.Name"/> when given (confirmed mode, whatever <see cref="MessageClientOptions.Plain"/> says).
    /// </summary>
    /// <exception cref="TcpMsgException">Not found, refused, unreachable, too slow, not a tcpmsg server, or no chat room there.</exception>
    public static async Task<ChatClient> ConnectAsync(string host, int port, MessageClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new HostPort(host, port);
        var joining = (options ?? MessageClientOptions.Default) with { Plain = false, JoinChat = true };
        return new ChatClient(await ConfirmedClientSession.ConnectAsync(server, joining, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Posts <paramref name="text"/> to the room and waits until the server stored it.</summary>
    /// <returns>
    /// The id the store gave the message, when the server said it: it names the last message of each
    /// acknowledgement, so a message acknowledged together with later ones, a message sent in plain
    /// mode and one stored by a server without a store get 0.
    /// </returns>
    /// <exception cref="TcpMsgException">The server refused the message, or the connection was lost for good before the acknowledgement.</exception>
    public Task<long> PostAsync(string text, CancellationToken cancellationToken = default) =>
        _session.SendAsync(text, cancellationToken);

    /// <summary>
    /// Queues a post without waiting for its acknowledgement (only while the window of unacknowledged
    /// posts is full); <see cref="CompleteAsync"/> reports any failure. Returns its sequence number.
    /// </summary>
    public ValueTask<long> EnqueueAsync(string text, CancellationToken cancellationToken = default) =>
        _session.EnqueueAsync(text, cancellationToken);

    /// <summary>
    /// Everything the room sends this member, in the room's order: on joining, the history (flagged),
    /// the members (a <see cref="NoticeKind.Who"/> notice), then live messages and notices;
    /// a <see cref="ChatNotice"/> of <see cref="Protocol.NoticeKind.ConnectionLost"/> when the connection is lost and of <see cref="Protocol.NoticeKind.Reconnected"/> when it is back. Ends when
    /// the member completes or is disposed; throws the failure when the connection is lost for good.
    /// One reader at a time.
    /// </summary>
    public IAsyncEnumerable<ChatEvent> ReadAsync(CancellationToken cancellationToken = default) =>
        _session.ChatEvents.ReadAllAsync(cancellationToken);

    /// <summary>The messages of <see cref="ReadAsync"/>, without the notices.</summary>
    public async IAsyncEnumerable<ChatMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var chatEvent in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (chatEvent is ChatMessage message)
            {
                yield return message;
            }
        }
    }

    /// <summary>Changes this member's name; completes with the new name once the server agreed.</summary>
    /// <exception cref="TcpMsgException">The name is in use or not valid. (<see cref="TcpMsgErrorCode.ChatCommandRefused"/>)</exception>
    /// <exception cref="TcpMsgException">The connection was lost before the answer.</exception>
    public async Task<string> ChangeNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var answer = await _session.CommandAsync(ChatCommandKind.Nick, name, cancellationToken).ConfigureAwait(false);
        return answer.Kind == NoticeKind.Name && answer.Name is { } given
            ? given
            : throw ChatRefusal(answer.Name ?? name, answer.Reason ?? "refused");
    }

    /// <summary>The names of the room's members, sorted.</summary>
    /// <exception cref="TcpMsgException">The connection was lost before the answer.</exception>
    public async Task<IReadOnlyList<string>> WhoAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _session.CommandAsync(ChatCommandKind.Who, string.Empty, cancellationToken).ConfigureAwait(false);
        return answer.Kind == NoticeKind.Who
            ? answer.Members ?? []
            : throw ChatRefusal(null, answer.Reason ?? "refused");
    }

    /// <summary>Leaves the room once every post is acknowledged: finishes sending (FIN) and waits for the server to close.</summary>
    /// <exception cref="TcpMsgException">Some posts were not delivered. (<see cref="TcpMsgErrorCode.NotDelivered"/>)</exception>
    public Task CompleteAsync(CancellationToken cancellationToken = default) => _session.CompleteAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private static TcpMsgException ChatRefusal(string? name, string reason) =>
        new(TcpMsgErrorCode.ChatCommandRefused, name is null ? $"refused: {reason}" : $"the name {name} was refused: {reason}") { Subject = name, Reason = reason };
}
