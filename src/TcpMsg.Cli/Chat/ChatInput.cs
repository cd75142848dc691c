namespace TcpMsg.Cli.Chat;

/// <summary>
/// A line the chat user typed: a command (<c>/nick NAME</c>, <c>/who</c>, <c>/quit</c>, <c>/help</c>;
/// any other <c>/word</c> is answered with the help) or a message (<c>//text</c> sends <c>/text</c>).
/// The same rules as the server's for plain-mode members.
/// </summary>
internal readonly record struct ChatInput(ChatInputKind Kind, string Text)
{
    public static ChatInput Parse(string line)
    {
        if (line.Length < 2 || line[0] != '/')
        {
            return new ChatInput(ChatInputKind.Message, line);
        }

        if (line[1] == '/')
        {
            return new ChatInput(ChatInputKind.Message, line[1..]);
        }

        if (!char.IsLetter(line[1]))
        {
            return new ChatInput(ChatInputKind.Message, line);
        }

        var end = line.IndexOfAny([' ', '\t']);
        var word = end < 0 ? line[1..] : line[1..end];
        var argument = end < 0 ? string.Empty : line[end..].Trim(' ', '\t');
        return word.ToUpperInvariant() switch
        {
            "NICK" => new ChatInput(ChatInputKind.Nick, argument),
            "WHO" => new ChatInput(ChatInputKind.Who, argument),
            "QUIT" => new ChatInput(ChatInputKind.Quit, argument),
            _ => new ChatInput(ChatInputKind.Help, argument),
        };
    }
}
