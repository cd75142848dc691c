namespace TcpMsg.Bench.Load;

/// <summary>What happened to the stalled connections of one kind: opened (reopenings included), closed by the server, and after how long.</summary>
internal sealed class StallTally(StallKind kind)
{
    // Fields, not properties: counted with Interlocked by the opening threads.
    public long Opened;
    public long ConnectFailures;
    public long Closed;

    public StallKind Kind { get; } = kind;

    /// <summary>For each connection the server closed: seconds from its connect to the close being seen.</summary>
    public List<double> HeldSeconds { get; } = [];
}
