namespace TcpMsg.Protocol;

/// <summary>What the first bytes of a plain connection say about its framing.</summary>
internal enum FramingDetection
{
    /// <summary>Too few bytes yet to tell.</summary>
    Undecided = 0,

    /// <summary>Lines (or whatever the connection's configured framing is).</summary>
    Lines = 1,

    /// <summary>RFC 6587 octet counting.</summary>
    OctetCounted = 2,
}
