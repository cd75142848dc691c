namespace TcpMsg.Server.Internal.Chat;

/// <summary>
/// A plain-mode chat member's line, read as a command when it is one (docs/protocol.md):
/// <code>
/// command = "/nick" 1*SP name / "/who" / "/quit" / "/help"   ; case-insensitive
/// escaped = "//" text                                         ; the message "/" text
/// </code>
/// Any other line that starts with "/" and a letter is an unknown command (the answer is the help);
/// every other line is a message.
/// </summary>
internal readonly record struct PlainCommand(PlainCommandKind Kind, string Argument)
{
    /// <summary>True when <paramref name="line"/> is a command; else <paramref name="message"/> is the text to send.</summary>
    public static bool TryParse(string line, out PlainCommand command, out string message)
    {
        command = default;
        message = line;
        if (line.Length < 2 || line[0] != '/')
        {
            return false;
        }

        if (line[1] == '/')
        {
            message = line[1..];
            return false;
        }

        if (!char.IsLetter(line[1]))
        {
            return false;
        }

        var end = line.IndexOfAny([' ', '\t']);
        var word = end < 0 ? line[1..] : line[1..end];
        var argument = end < 0 ? string.Empty : line[end..].Trim(' ', '\t');
        var kind = word.ToUpperInvariant() switch
        {
            "NICK" => PlainCommandKind.Nick,
            "WHO" => PlainCommandKind.Who,
            "QUIT" => PlainCommandKind.Quit,
            _ => PlainCommandKind.Help,
        };
        command = new PlainCommand(kind, argument);
        return true;
    }
}
