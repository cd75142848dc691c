namespace TcpMsg.Client;

/// <summary>
/// The connection to the chat room was lost (the client reconnects when <see cref="MessageClientOptions.RetryFor"/>
/// allows), or it is back. After coming back the client gets the history again, without what it already had.
/// </summary>
/// <param name="IsConnected">True: connected again. False: the connection was lost; reconnecting.</param>
/// <param name="Name">When connected: the client's name in the room now.</param>
/// <param name="Reason">When lost: why, in English.</param>
public sealed record ChatConnectionChanged(bool IsConnected, string? Name, string? Reason) : ChatEvent;
