namespace TcpMsg.Protocol;

/// <summary>How a plain-mode connection's bytes are cut into messages.</summary>
internal enum PlainFraming
{
    /// <summary>Each LF-terminated line is one message (a CR before the LF is dropped); bytes left at FIN are a last message.</summary>
    Lines = 0,

    /// <summary>Everything the peer sends before it finishes sending (FIN) is one message, line ends included.</summary>
    Whole = 1,
}
