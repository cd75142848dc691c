namespace TcpMsg.Bench.Peers;

/// <summary>
/// The receivers every scenario runs against, in the same run. tcpmsg with its SQLite store is one
/// more line here once <c>serve --store</c> exists:
/// <c>new TcpMsgPeer("tcpmsg+store", tcpmsg, ["--store", "{dir}/bench.db", "--durability", "process"])</c>.
/// </summary>
internal static class PeerTable
{
    /// <param name="tcpmsg">The tcpmsg to run: TcpMsg.Cli.dll (run with dotnet) or the native binary.</param>
    /// <param name="tcpmsgNative">The NativeAOT binary, when it was published, for a second tcpmsg row.</param>
    public static IReadOnlyList<Peer> All(string tcpmsg, string? tcpmsgNative) =>
    [
        new TcpMsgPeer("tcpmsg", tcpmsg),
        .. tcpmsgNative is null ? Array.Empty<Peer>() : [new TcpMsgPeer("tcpmsg-aot", tcpmsgNative)],
        new RsyslogPeer(),
        new NcatPeer(),
        new BarePeer(),
    ];
}
