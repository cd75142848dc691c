namespace TcpMsg.Bench.Peers;

/// <summary>What one line of a peer's output is.</summary>
internal enum LineKind
{
    /// <summary>A received message; its text was extracted.</summary>
    Message,

    /// <summary>A line the peer writes for other reasons (tcpmsg's disconnect lines).</summary>
    Other,

    /// <summary>Not a line this peer writes: a damaged or interleaved message.</summary>
    Unrecognized,
}
