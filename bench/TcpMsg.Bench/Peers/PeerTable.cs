namespace TcpMsg.Bench.Peers;

/// <summary>
/// The receivers every scenario runs against, in the same run: tcpmsg without the store (plain
/// mode to a file, as the JIT build and as the NativeAOT binary), tcpmsg with its SQLite store,
/// rsyslog, ncat and the bare receiver. A new peer is one more line here.
/// </summary>
internal static class PeerTable
{
    // fsync durability costs a disk flush per group commit: measured where it matters, confirmed mode.
    private static readonly HashSet<string> s_confirmedOnly = ["confirmed ×1", "confirmed ×16", "confirmed latency"];

    /// <param name="tcpmsg">The tcpmsg to run: TcpMsg.Cli.dll (run with dotnet) or the native binary.</param>
    /// <param name="tcpmsgNative">The NativeAOT binary, when it was published, for a second tcpmsg row.</param>
    public static IReadOnlyList<Peer> All(string tcpmsg, string? tcpmsgNative) =>
    [
        new TcpMsgPeer("tcpmsg", tcpmsg, ["--no-store"]),
        .. tcpmsgNative is null ? Array.Empty<Peer>() : [new TcpMsgPeer("tcpmsg-aot", tcpmsgNative, ["--no-store"])],
        new TcpMsgPeer("tcpmsg+store", tcpmsg, ["--store", "{dir}/bench.db", "--durability", "process"]),
        new TcpMsgPeer("tcpmsg+fsync", tcpmsg, ["--store", "{dir}/bench.db", "--durability", "fsync"], s_confirmedOnly),
        new RsyslogPeer(),
        new NcatPeer(),
        new BarePeer(),
    ];
}
