using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>
/// News of the chat room: someone joined, left or was renamed; who is here; messages skipped. Also
/// the client's own news: its connection lost (<see cref="NoticeKind.ConnectionLost"/>) and back
/// (<see cref="NoticeKind.Reconnected"/>).
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Name">Who joined, left or was renamed (its old name); the refused name; once reconnected, this client's name in the room.</param>
/// <param name="NewName">A rename's new name.</param>
/// <param name="Members">For <see cref="NoticeKind.Who"/>: the names in the room; else empty.</param>
/// <param name="Count">For <see cref="NoticeKind.Dropped"/>: how many messages were skipped for this client.</param>
/// <param name="Reason">Why someone left, why a name was refused, or why the connection was lost, in English.</param>
public sealed record ChatNotice(NoticeKind Kind, string? Name, string? NewName, IReadOnlyList<string> Members, long Count, string? Reason) : ChatEvent;
