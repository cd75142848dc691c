using System.Net;

namespace TcpMsg.Server;

/// <summary>
/// Which client addresses may connect. The most specific matching network decides (longest prefix;
/// a deny wins a tie). An address no rule matches is allowed, unless allow rules exist: then it is
/// refused. Files hold one network per line (<c>#</c> starts a comment) and are re-read when they change.
/// A file that cannot be read, or has a line that is not a network, stops the server from starting
/// (<see cref="AccessListException"/>); on a later change it keeps the previous rules. An empty allow
/// file allows nobody.
/// </summary>
public sealed record AccessControlOptions
{
    /// <summary>No rules: every address may connect.</summary>
    public static AccessControlOptions Default { get; } = new();

    /// <summary>Networks that may connect, such as <c>10.0.0.0/8</c> or <c>2001:db8::/32</c>.</summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = [];

    /// <summary>Networks that may not connect.</summary>
    public IReadOnlyList<IPNetwork> Deny { get; init; } = [];

    /// <summary>Files of networks that may connect.</summary>
    public IReadOnlyList<string> AllowFiles { get; init; } = [];

    /// <summary>Files of networks that may not connect.</summary>
    public IReadOnlyList<string> DenyFiles { get; init; } = [];

    /// <summary>True when there is no rule and no file: access control is off.</summary>
    public bool IsEmpty => Allow.Count == 0 && Deny.Count == 0 && AllowFiles.Count == 0 && DenyFiles.Count == 0;
}
