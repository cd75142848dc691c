namespace TcpMsg.Protocol;

/// <summary>What a connection's first bytes say about its mode.</summary>
internal enum PreambleMatch
{
    /// <summary>The bytes so far are a prefix of the preamble; wait for more.</summary>
    NeedMoreData,

    /// <summary>Plain mode: the bytes are text.</summary>
    Plain,

    /// <summary>Confirmed mode: the preamble is complete; frames follow.</summary>
    Confirmed,
}
