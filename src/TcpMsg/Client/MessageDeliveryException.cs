using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>
/// <see cref="MessageClient.CompleteAsync"/> found messages that were not delivered: refused by the
/// server, or unacknowledged when the connection was lost for good.
/// </summary>
public sealed class MessageDeliveryException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public MessageDeliveryException(long failed, long delivered, Exception firstFailure)
        : base($"{failed} message(s) not delivered ({delivered} delivered); first failure: {firstFailure.Message}", firstFailure)
    {
        Failed = failed;
        Delivered = delivered;
    }

    /// <summary>Messages not delivered.</summary>
    public long Failed { get; }

    /// <summary>Messages the server acknowledged.</summary>
    public long Delivered { get; }
}
