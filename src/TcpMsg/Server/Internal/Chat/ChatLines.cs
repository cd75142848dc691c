using System.Buffers;
using TcpMsg.Protocol;

namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// The UTF-8 lines a plain-mode member receives: <c>[14:03:07] bob> hi</c> for a message (the
/// server's local time), <c>*** ...</c> for a notice. Names and texts are escaped, so nothing a
/// member receives can drive its terminal.
/// </summary>
internal static class ChatLines
{
    public const string Help = "commands: /nick NAME, /who, /quit; start a line with // to send one that begins with /";

    public static byte[] Notice(string text)
    {
        var output = new ArrayBufferWriter<byte>(text.Length + 8);
        output.Write("*** "u8);
        TerminalText.WriteEscaped(output, text);
        output.Write("\n"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The text of a notice's line (without <c>*** </c>).</summary>
    public static string Describe(NoticeFrame notice) => notice.Kind switch
    {
        NoticeKind.Joined => $"{notice.Name} joined",
        NoticeKind.Left => notice.Reason is { } reason ? $"{notice.Name} left ({reason})" : $"{notice.Name} left",
        NoticeKind.Renamed => $"{notice.Name} is now known as {notice.NewName}",
        NoticeKind.Name => $"you are now known as {notice.Name}",
        NoticeKind.Refused => notice.Name is { } name ? $"you cannot be called {name}: {notice.Reason}" : $"refused: {notice.Reason}",
        NoticeKind.Who => $"here ({notice.Members?.Count ?? 0}): {string.Join(", ", notice.Members ?? [])}",
        NoticeKind.Dropped => $"{notice.Count} message(s) were skipped: you were not reading fast enough",
        _ => notice.Reason ?? notice.Kind.ToString(),
    };

    /// <summary>The line a plain member gets once it joined: its name, who is here, and the commands.</summary>
    public static string Welcome(string name, IReadOnlyList<string> members) =>
        $"you are {name}; here ({members.Count}): {string.Join(", ", members)} (/nick NAME, /who, /quit)";

    /// <summary>How a leaving member's reason reads for the others.</summary>
    public static string? Reason(TcpMsgErrorCode reason) => reason switch
    {
        TcpMsgErrorCode.PeerClosed => null,
        TcpMsgErrorCode.PeerReset => "connection reset",
        TcpMsgErrorCode.IdleTimeout => "idle",
        TcpMsgErrorCode.SlowConsumer => "too slow",
        TcpMsgErrorCode.ServerShutdown => "server stopping",
        TcpMsgErrorCode.MessageTooLarge => "message too large",
        TcpMsgErrorCode.ProtocolError => "protocol error",
        _ => "connection lost",
    };
}
