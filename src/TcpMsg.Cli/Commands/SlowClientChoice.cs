namespace TcpMsg.Cli.Commands;

/// <summary>The values of <c>serve --slow-client</c> (the library's <c>ChatOptions.DropForSlowMembers</c>).</summary>
internal enum SlowClientChoice
{
    /// <summary>A member further behind than the window catches up from the store; one that takes nothing for --slow-client-timeout is disconnected.</summary>
    Disconnect,

    /// <summary>A member further behind skips what it missed and is told how many.</summary>
    Drop,
}
