namespace TcpMsg.Client;

/// <summary>A message another member (or the server) sent to the chat room.</summary>
/// <param name="Id">The store's id; ascending; 0 when the server runs without a store.</param>
/// <param name="Time">When the server received it (UTC).</param>
/// <param name="Sender">The sender's name when it sent it.</param>
/// <param name="Text">The message.</param>
/// <param name="IsHistory">True for a message stored before this client joined (the history sent on joining).</param>
public sealed record ChatMessage(long Id, DateTimeOffset Time, string Sender, string Text, bool IsHistory) : ChatEvent;
