namespace TcpMsg.Cli.Chat;

/// <summary>What a typed line is.</summary>
internal enum ChatInputKind
{
    /// <summary>A message for the room.</summary>
    Message,

    /// <summary><c>/nick NAME</c>.</summary>
    Nick,

    /// <summary><c>/who</c>.</summary>
    Who,

    /// <summary><c>/quit</c>.</summary>
    Quit,

    /// <summary><c>/help</c> or an unknown command.</summary>
    Help,
}
