
namespace TcpMsg.Client;

/// <summary>How a <see cref="MessageClient"/> connects, sends and closes. Immutable; start from <see cref="Default"/>.</summary>
public sealed record MessageClientOptions
{
    /// <summary>The defaults: confirmed mode, 1,024 messages in flight, no reconnecting.</summary>
    public static MessageClientOptions Default { get; } = new();

    /// <summary>
    /// False (the default): tcpmsg's confirmed mode, each message acknowledged once stored, retries never
    /// duplicate. True: plain UTF-8 lines, for any TCP receiver (nc, the tutorial's server); nothing is confirmed.
    /// </summary>
    public bool Plain { get; init; }

    /// <summary>
    /// The client id that makes retries idempotent. Null picks a random one for this client. Give a
    /// stable one to resume a sender across processes: its sequence numbers continue after the server's last.
    /// </summary>
    public string? ClientId { get; init; }

    /// <summary>The access token for servers that require one (<see cref="Server.TcpMsgSecurityOptions.Tokens"/>, <see cref="Server.TcpMsgSecurityOptions.TokenFiles"/>); null sends none.</summary>
    public string? Token { get; init; }

    /// <summary>A display name sent in HELLO: a <see cref="ChatClient"/>'s name in the room.</summary>
    public string? Name { get; init; }

    /// <summary>Set by <see cref="ChatClient"/>: the session joins the server's chat room.</summary>
    internal bool JoinChat { get; init; }

    /// <summary>How many chat events may wait for <see cref="ChatClient.ReadAsync"/>.</summary>
    public int ChatBufferSize { get; init; } = 1024;

    /// <summary>How many messages may be sent and not yet acknowledged (confirmed mode).</summary>
    public int Window { get; init; } = 1024;

    /// <summary>How long connecting may take, name resolution included.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the server's WELCOME before concluding it is not a tcpmsg server.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With messages in flight, how long without any acknowledgement before the connection counts as
    /// dead (it is then reconnected, or its messages fail): a client never waits forever.
    /// </summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After the client finished sending, how long to wait for the server to close its side.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Keep reconnecting, with exponential backoff and jitter, for up to this long after a failure,
    /// resending whatever was not acknowledged. Null: fail at the first connection loss. The time
    /// counts from the first failure: a reconnect that is answered but followed by more failures
    /// (a store that keeps failing) does not start it again; only an acknowledgement does.
    /// </summary>
    public TimeSpan? RetryFor { get; init; }

    /// <summary>The clock of the retry deadline and its backoff waits; the system clock unless a test replaces it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// With <see cref="RetryFor"/>: told, from a background task, each time an attempt to (re)connect
    /// failed and another will follow, with why; for progress reports. It must not throw or block.
    /// </summary>
    public Action<TcpMsgException>? Retrying { get; init; }

    /// <summary>
    /// With <see cref="RetryFor"/>: told, from a background task, when an established connection was
    /// lost and reconnecting begins, with why (a network failure, or the server refusing a message it
    /// could not store). It must not throw or block.
    /// </summary>
    public Action<TcpMsgException>? ConnectionLost { get; init; }

    /// <summary>With <see cref="RetryFor"/>: told, from a background task, when a reconnect succeeded after a loss. It must not throw or block.</summary>
    public Action? Reconnected { get; init; }

    /// <summary>Bytes buffered before they are written to the socket; larger batches mean fewer system calls.</summary>
    public int SendBufferSize { get; init; } = 64 * 1024;

    /// <summary>Speak TLS, verifying the server as these options say; null for plain TCP.</summary>
    public TlsClientOptions? Tls { get; init; }
}
