namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// Set on a connection with a rate limit. The protocol handler says where to read how many messages
/// the connection has delivered; after each read the input layer charges the new ones to the token
/// buckets and pauses reading until the rate allows more.
/// </summary>
internal interface IMessageRateFeature
{
    void CountMessages(Func<long> messagesReceived);
}
