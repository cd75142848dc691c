namespace TcpMsg.Server.Internal.Chat;

/// <summary>One entry on its way to one member; history entries are flagged as such.</summary>
internal readonly record struct ChatItem(ChatEntry Entry, bool History);
