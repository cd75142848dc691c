namespace TcpMsg.Server.Internal.Chat;

/// <summary>What the writers of chat members' connections share.</summary>
internal static class ChatWriting
{
    /// <summary>About this many bytes are encoded per flush: large enough for few system calls, small enough to keep a slow socket's pipe short.</summary>
    public const long Budget = 64 * 1024;

    /// <summary>How long the last writes of a closing connection may wait for a member that does not read.</summary>
    public static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Why a member whose socket took nothing was removed: "you ..." to it, "NAME ..." in the log.</summary>
    public static string Stalled(TimeSpan timeout) =>
        $"took no bytes for {timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";
}
