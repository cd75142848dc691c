using System.Globalization;
using TcpMsg.Cli.Localization;
using TcpMsg.Client;
using TcpMsg.Protocol;

namespace TcpMsg.Cli.Chat;

/// <summary>
/// The chat client's lines: <c>[14:03:07] bob> hi</c> for a message (local time), <c>*** ...</c>
/// for news of the room in the user's language. Everything the server sent is escaped, so a
/// message cannot drive the terminal.
/// </summary>
internal sealed class ChatEventFormatter
{
    private readonly Strings _strings;

    public ChatEventFormatter(Strings strings) => _strings = strings;

    public static string Message(DateTimeOffset time, string sender, string text)
    {
        var local = TimeZoneInfo.ConvertTime(time, TimeZoneInfo.Local);
        return $"{local.ToString("[HH:mm:ss]", CultureInfo.InvariantCulture)} {TerminalText.Escape(sender)}> {TerminalText.Escape(text)}";
    }

    /// <summary>The line for an event, or null for one that shows nothing.</summary>
    public string? Format(ChatEvent chatEvent) => chatEvent switch
    {
        ChatMessage message => Message(message.Time, message.Sender, message.Text),
        ChatNotice { Kind: NoticeKind.Reconnected } back => Status(_strings.Format("Chat_Back", TerminalText.Escape(back.Name ?? "?"))),
        ChatNotice { Kind: NoticeKind.ConnectionLost } lost => Status(_strings.Format("Chat_Lost", lost.Reason)),
        ChatNotice notice => Notice(notice),
        _ => null,
    };

    public static string Status(string text) => "*** " + text;

    public string Who(IReadOnlyList<string> members) =>
        Status(_strings.Format("Chat_Who", members.Count, string.Join(", ", members.Select(TerminalText.Escape))));

    private string? Notice(ChatNotice notice)
    {
        var name = TerminalText.Escape(notice.Name ?? string.Empty);
        var text = notice.Kind switch
        {
            NoticeKind.Joined => _strings.Format("Chat_Joined", name),
            NoticeKind.Left when notice.Reason is { } reason => _strings.Format("Chat_LeftReason", name, TerminalText.Escape(reason)),
            NoticeKind.Left => _strings.Format("Chat_Left", name),
            NoticeKind.Renamed => _strings.Format("Chat_Renamed", name, TerminalText.Escape(notice.NewName ?? string.Empty)),
            NoticeKind.Name => _strings.Format("Chat_NameNow", name),
            NoticeKind.Refused when notice.Name is not null => _strings.Format("Chat_Refused", name, TerminalText.Escape(notice.Reason ?? string.Empty)),
            NoticeKind.Refused => _strings.Format("Chat_RefusedCommand", TerminalText.Escape(notice.Reason ?? string.Empty)),
            NoticeKind.Who => null,
            NoticeKind.Dropped => _strings.Format("Chat_Dropped", notice.Count),
            _ => null,
        };
        return notice.Kind == NoticeKind.Who ? Who(notice.Members) : text is null ? null : Status(text);
    }
}
