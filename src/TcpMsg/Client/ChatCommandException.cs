using TcpMsg.Protocol;

namespace TcpMsg.Client;

/// <summary>The chat room refused a command: a name in use or not valid, an unknown command.</summary>
public sealed class ChatCommandException : TcpMsgException
{
    /// <summary>Creates the exception.</summary>
    public ChatCommandException(string? name, string reason)
        : base(name is null ? $"refused: {reason}" : $"the name {name} was refused: {reason}")
    {
        Name = name;
        Reason = reason;
    }

    /// <summary>The name that was refused, when the command was a rename.</summary>
    public string? Name { get; }

    /// <summary>The server's reason, in English.</summary>
    public string Reason { get; }
}
