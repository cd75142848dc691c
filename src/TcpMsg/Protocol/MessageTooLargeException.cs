namespace TcpMsg.Protocol;

/// <summary>A message is longer than the configured maximum message size.</summary>
internal sealed class MessageTooLargeException : TcpMsgException
{
    public MessageTooLargeException(long limit, long observedBytes)
        : base(TcpMsgErrorCode.MessageTooLarge, $"message exceeds the limit of {limit} bytes (at least {observedBytes} bytes seen)")
    {
        Limit = limit;
        ObservedBytes = observedBytes;
    }

    /// <summary>The maximum message size in bytes.</summary>
    public long Limit { get; }

    /// <summary>How many bytes of the message had arrived when the limit was found exceeded.</summary>
    public long ObservedBytes { get; }
}
