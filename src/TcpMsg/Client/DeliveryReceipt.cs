namespace TcpMsg.Client;

/// <summary>What the server said about a delivered message.</summary>
/// <param name="Sequence">The message's sequence number (confirmed mode; in plain mode a local count).</param>
/// <param name="Id">The store's id for the message, when the server said it (it names the last message of each acknowledgement); null otherwise.</param>
/// <param name="Confirmed">True when the server confirmed that it stored the message; false in plain mode.</param>
public readonly record struct DeliveryReceipt(long Sequence, long? Id, bool Confirmed);
