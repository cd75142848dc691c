using System.Net;

namespace TcpMsg.Server;

/// <summary>
/// How the server protects itself from hostile or unwanted peers: TLS, access control, per-address
/// limits, rate limits, slow-peer timeouts and the PROXY protocol. Immutable; start from
/// <see cref="Default"/> and use <c>with</c>. See docs/security.md for the threat model.
/// </summary>
public sealed record TcpMsgSecurityOptions
{
    /// <summary>
    /// The defaults: no TLS, everyone allowed, 100 connections per address, no rate limit, 10 s to
    /// finish a handshake, 60 s to finish a message, no lifetime limit, no PROXY protocol.
    /// </summary>
    public static TcpMsgSecurityOptions Default { get; } = new();

    /// <summary>The certificates for endpoints whose <see cref="ListenEndpoint.Tls"/> is set; null when there are none.</summary>
    public TlsServerOptions? Tls { get; init; }

    /// <summary>
    /// Networks that may connect, such as <c>10.0.0.0/8</c> or <c>2001:db8::/32</c>. Which client
    /// addresses may connect is decided by the most specific matching network of <see cref="Allow"/>,
    /// <see cref="Deny"/> and the files (longest prefix; a deny wins a tie). An address no rule matches
    /// is allowed, unless allow rules exist: then it is refused.
    /// </summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [];

    /// <summary>Networks that may not connect.</summary>
    public IReadOnlyList<IPNetwork> Deny { get; init; } = [];

    /// <summary>
    /// Files of networks that may connect, one per line (<c>#</c> starts a comment), re-read when they
    /// change. A file that cannot be read, or has a line that is not a network, stops the server from
    /// starting (<see cref="TcpMsgErrorCode.AccessListInvalid"/>); on a later change the previous rules
    /// stay. An empty allow file allows nobody.
    /// </summary>
    public IReadOnlyList<string> AllowFiles { get; init; } = [];

    /// <summary>Files of networks that may not connect.</summary>
    public IReadOnlyList<string> DenyFiles { get; init; } = [];

    /// <summary>
    /// The PROXY protocol (haproxy, versions 1 and 2): the networks of the load balancers whose headers
    /// are believed. When any is given, every connection on every endpoint must come from one of them
    /// and start with a header that names the real client; others are refused, because the
    /// specification forbids guessing and anyone could otherwise claim any address. Empty (the
    /// default): no PROXY protocol.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>True when connections must start with a PROXY protocol header (<see cref="TrustedProxies"/> given).</summary>
    internal bool UsesProxyProtocol => TrustedProxies.Count > 0;

    /// <summary>True when there is no access rule and no access file: access control is off.</summary>
    internal bool HasNoAccessRules => Allow.Count == 0 && Deny.Count == 0 && AllowFiles.Count == 0 && DenyFiles.Count == 0;

    /// <summary>
    /// The most connections open at once from one address (IPv6: one <see cref="IPv6PrefixLength"/>
    /// network), on top of <see cref="TcpMsgServerOptions.MaxConnections"/>. 0 means no per-address limit.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;

    /// <summary>
    /// How IPv6 peers are grouped for per-address limits: one host usually owns a whole /64, so counting
    /// single IPv6 addresses would let it open connections without end. 128 counts single addresses.
    /// </summary>
    public int IPv6PrefixLength { get; init; } = 64;

    /// <summary>The message rate of one connection; null means unlimited. Reading pauses past it; nothing is dropped.</summary>
    public RateLimit? ConnectionRate { get; init; }

    /// <summary>The message rate of all connections from one address together; null means unlimited.</summary>
    public RateLimit? AddressRate { get; init; }

    /// <summary>
    /// How long a connection may take to present its PROXY header, separately to finish its TLS
    /// handshake, and separately (in confirmed mode) to send its HELLO. Slower peers are closed.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a message may take from its first byte to its end; a slower one closes its connection
    /// (slow-loris). Time between messages does not count: that is <see cref="TcpMsgServerOptions.IdleTimeout"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Files of access tokens, one per line (blank lines and lines starting with # ignored), re-read
    /// when they change. With any token configured, confirmed-mode clients must present one in HELLO.
    /// </summary>
    public IReadOnlyList<string> TokenFiles { get; init; } = [];

    /// <summary>Access tokens given directly (for embedding); they add to <see cref="TokenFiles"/>.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>
    /// Whether plain-mode clients may post. False leaves only confirmed-mode clients (authenticated,
    /// when tokens are configured); a plain client is told so in one line and closed.
    /// </summary>
    public bool AllowPlain { get; init; } = true;

    /// <summary>True when confirmed-mode clients must present a token.</summary>
    public bool RequiresToken => TokenFiles.Count > 0 || Tokens.Count > 0;

    /// <summary>Connections older than this are closed (after their complete messages). Infinite by default.</summary>
    public TimeSpan MaxConnectionLifetime { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// A refused or failing address is reported at most once per this interval; later attempts are
    /// counted and summed up in the next report, so a flood cannot flood the log.
    /// </summary>
    public TimeSpan RefusalReportInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often certificate and access-list files are checked for changes.</summary>
    public TimeSpan FileReloadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Tls?.Validate();
        Require(MaxConnectionsPerAddress >= 0, nameof(MaxConnectionsPerAddress), "must not be negative");
        Require(IPv6PrefixLength is >= 1 and <= 128, nameof(IPv6PrefixLength), "must be 1-128");
        Require(HandshakeTimeout > TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan, nameof(HandshakeTimeout), "must be positive and finite");
        Require(IsPositiveOrInfinite(MessageTimeout), nameof(MessageTimeout), "must be positive or infinite");
        Require(IsPositiveOrInfinite(MaxConnectionLifetime), nameof(MaxConnectionLifetime), "must be positive or infinite");
        Require(RefusalReportInterval > TimeSpan.Zero, nameof(RefusalReportInterval), "must be positive");
        Require(FileReloadInterval > TimeSpan.Zero, nameof(FileReloadInterval), "must be positive");
        Require(Tokens.All(t => !string.IsNullOrWhiteSpace(t)), nameof(Tokens), "must not contain empty tokens");
        ConnectionRate?.Validate(nameof(ConnectionRate));
        AddressRate?.Validate(nameof(AddressRate));
    }

    private static bool IsPositiveOrInfinite(TimeSpan value) => value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan;

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} {problem}.", name);
        }
    }
}
