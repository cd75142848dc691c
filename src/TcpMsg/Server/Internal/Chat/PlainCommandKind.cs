namespace TcpMsg.Server.Internal.Chat;

/// <summary>The commands a plain-mode chat member can type.</summary>
internal enum PlainCommandKind
{
    /// <summary><c>/nick NAME</c>: change name.</summary>
    Nick,

    /// <summary><c>/who</c>: list the members.</summary>
    Who,

    /// <summary><c>/quit</c>: leave; the server closes the connection.</summary>
    Quit,

    /// <summary><c>/help</c>, or an unknown command: list the commands.</summary>
    Help,
}
