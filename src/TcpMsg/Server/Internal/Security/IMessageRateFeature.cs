namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// Set on a connection with a rate limit. The protocol handler tells it how many messages each read
/// produced; the input layer then pauses reading until the rate allows more.
/// </summary>
internal interface IMessageRateFeature
{
    void OnMessages(long count);
}
