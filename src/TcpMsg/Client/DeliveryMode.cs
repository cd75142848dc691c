namespace TcpMsg.Client;

/// <summary>How a <see cref="MessageClient"/> talks to the server.</summary>
public enum DeliveryMode
{
    /// <summary>tcpmsg's confirmed mode: each message is acknowledged once stored; retries never duplicate.</summary>
    Confirmed,

    /// <summary>Plain UTF-8 lines, for any TCP receiver (nc, the tutorial's server); nothing is confirmed.</summary>
    Plain,
}
