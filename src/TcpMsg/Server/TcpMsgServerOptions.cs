using TcpMsg.Protocol;
using TcpMsg.Storage;

namespace TcpMsg.Server;

/// <summary>How a tcpmsg server receives messages. Immutable; start from <see cref="Default"/> and use <c>with</c>.</summary>
public sealed record TcpMsgServerOptions
{
    /// <summary>The port tcpmsg listens on unless told otherwise (the tutorial's port).</summary>
    public const int DefaultPort = 2023;

    /// <summary>The defaults: port 2023 on all interfaces, 1 MiB messages, 5 min idle timeout, 10,000 connections.</summary>
    public static TcpMsgServerOptions Default { get; } = new();

    /// <summary>Where to listen. Empty means every interface, IPv4 and IPv6, on <see cref="DefaultPort"/>.</summary>
    public IReadOnlyList<ListenEndpoint> Endpoints { get; init; } = [];

    /// <summary>
    /// How plain-mode connections are cut into messages: <see cref="MessageFraming.Line"/> (the default:
    /// each LF-terminated line is one message, a CR before the LF dropped, bytes left at FIN a last
    /// message) or <see cref="MessageFraming.Whole"/> (everything a connection sends before FIN is one
    /// message, line ends included).
    /// </summary>
    public MessageFraming Framing { get; init; } = MessageFraming.Line;

    /// <summary>The codec's framing of <see cref="Framing"/>.</summary>
    internal PlainFraming PlainFraming => Framing == MessageFraming.Whole ? PlainFraming.Whole : PlainFraming.Lines;

    /// <summary>Whether plain connections are read as syslog: octet counting detected, fields parsed (docs/syslog.md).</summary>
    public SyslogMode Syslog { get; init; } = SyslogMode.Auto;

    /// <summary>The largest message accepted, in bytes. A longer one closes its connection; nothing is truncated.</summary>
    public int MaxMessageSize { get; init; } = 1024 * 1024;

    /// <summary>A connection on which nothing arrives for this long is closed. <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most connections open at once; more are refused.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>On shutdown, how long open connections may go on before they are aborted.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most message bytes received but not yet stored and dispatched. Past it, connections stop
    /// reading from their sockets until the dispatcher catches up (backpressure), so memory stays bounded.
    /// </summary>
    // 4 MiB (about 25,000 lines of 100 bytes) keeps the dispatcher and the store busy; a larger queue
    // only makes each message wait longer, out of the processor's caches (64 MiB cost a third more CPU
    // per message in the streams benchmark, bench/analysis.md).
    public long MaxPendingBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>
    /// The most bytes of unfinished messages held for all connections together beyond each
    /// connection's 64 KiB window: room for <c>MaxBufferedBytes / (MaxMessageSize + 64 KiB)</c>
    /// messages longer than the window at once (at least one). Past it, such connections stop
    /// reading from their sockets until room is free (backpressure); nothing is dropped
    /// (docs/operations.md, "Memory").
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// Where messages are stored before they count as received; null runs without a store (messages
    /// are dispatched, and confirmed ones acknowledged, as soon as they arrive).
    /// </summary>
    public StoreOptions? Store { get; init; }

    /// <summary>TLS, access control, per-address and rate limits, slow-peer timeouts, PROXY protocol.</summary>
    public TcpMsgSecurityOptions Security { get; init; } = TcpMsgSecurityOptions.Default;

    /// <summary>
    /// Runs a chat room: every stored message is also delivered to every other member, plain-mode
    /// connections receive lines and may send commands (docs/protocol.md). Null (the default): no chat.
    /// </summary>
    public ChatOptions? Chat { get; init; }

    /// <summary>
    /// Serves metrics, health checks, the message API and the live page over HTTP beside the TCP
    /// listener (docs/observability.md). Null (the default): no HTTP endpoint.
    /// </summary>
    public Http.TcpMsgHttpOptions? Http { get; init; }

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Http?.Validate();
        Chat?.Validate();
        if (Framing is not (MessageFraming.Line or MessageFraming.Whole))
        {
            throw new ArgumentException($"{nameof(Framing)} must be {nameof(MessageFraming.Line)} or {nameof(MessageFraming.Whole)}: confirmed mode is chosen by the client.", nameof(Framing));
        }

        if (MaxMessageSize <= 0)
        {
            throw new ArgumentException($"{nameof(MaxMessageSize)} must be positive.", nameof(MaxMessageSize));
        }

        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(IdleTimeout)} must be positive or infinite.", nameof(IdleTimeout));
        }

        if (MaxConnections <= 0)
        {
            throw new ArgumentException($"{nameof(MaxConnections)} must be positive.", nameof(MaxConnections));
        }

        if (ShutdownTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(ShutdownTimeout)} must not be negative.", nameof(ShutdownTimeout));
        }

        if (MaxPendingBytes <= 0)
        {
            throw new ArgumentException($"{nameof(MaxPendingBytes)} must be positive.", nameof(MaxPendingBytes));
        }

        if (MaxBufferedBytes <= 0)
        {
            throw new ArgumentException($"{nameof(MaxBufferedBytes)} must be positive.", nameof(MaxBufferedBytes));
        }

        Security.Validate();
        if (Security.Tls is null && Endpoints.Any(e => e.Tls))
        {
            throw new ArgumentException($"A TLS endpoint needs {nameof(Security)}.{nameof(TcpMsgSecurityOptions.Tls)}.", nameof(Security));
        }
    }
}
