namespace TcpMsg.Server.Internal;

/// <summary>Why a connection's read loop (<see cref="ConnectionReader.RunAsync"/>) returned.</summary>
internal enum ReadEnd
{
    /// <summary>The handler stopped it (<see cref="ReadStep.Stop"/>).</summary>
    Stopped = 0,

    /// <summary>The peer finished sending (FIN) and everything it sent was handled.</summary>
    PeerFinished = 1,

    /// <summary>The server closed the connection (<see cref="ConnectionState.AbortReason"/> says why), or the transport ended it.</summary>
    Closed = 2,
}
