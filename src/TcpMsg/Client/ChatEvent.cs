namespace TcpMsg.Client;

/// <summary>
/// Something that happened in the chat room, as a member sees it (<see cref="ChatClient.ReadAsync"/>):
/// a <see cref="ChatMessage"/> or a <see cref="ChatNotice"/> (which also tells of the client's own connection lost and back).
/// </summary>
public abstract record ChatEvent;
