namespace TcpMsg.Cli.Commands;

/// <summary>The values of <c>serve --framing</c> (the library's <c>TcpMsgServerOptions.Framing</c>).</summary>
internal enum FramingChoice
{
    /// <summary>One message per line.</summary>
    Lines,

    /// <summary>One message per connection.</summary>
    Whole,
}
