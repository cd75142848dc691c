namespace TcpMsg.Server;

/// <summary>How a message was framed on the wire.</summary>
public enum MessageFraming
{
    /// <summary>Plain mode, one line.</summary>
    Line = 0,

    /// <summary>Plain mode, the whole connection up to FIN (<see cref="TcpMsgServerOptions.Framing"/>).</summary>
    Whole = 1,

    /// <summary>Confirmed mode, one length-prefixed frame.</summary>
    Confirmed = 2,
}
