namespace TcpMsg.Client;

/// <summary>
/// Something that happened in the chat room, as a member sees it (<see cref="ChatClient.ReadAsync"/>):
/// a <see cref="ChatMessage"/>, a <see cref="ChatNotice"/>, or a <see cref="ChatConnectionChanged"/>.
/// </summary>
public abstract record ChatEvent;
