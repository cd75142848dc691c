using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;

namespace TcpMsg.Cli.Chat;

/// <summary>
/// The chat when standard input or output is not a terminal, for scripts: each input line is a
/// message or a command; what the room sends goes to standard output, one line each; the client's
/// own news (connected, lost, back, failed) to standard error. The end of input leaves, once
/// everything sent was stored.
/// </summary>
internal sealed class LineModeChat : ChatConversation
{
    private readonly ICliConsole _console;
    private readonly string _server;

    public LineModeChat(ChatClient client, Strings strings, Func<TcpMsgException, (string Line, int Code)> describe, ICliConsole console, string server)
        : base(client, strings, describe)
    {
        _console = console;
        _server = server;
    }

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        await StatusAsync(ChatEventFormatter.Status(Strings.Format("Chat_Connected", _server, TerminalText.Escape(Client.Name ?? "?")))).ConfigureAwait(false);
        _ = Task.Run(() => ReadLinesAsync(cancellationToken), CancellationToken.None);
    }

    protected override Task OnInputAsync(object input) => Task.CompletedTask;

    protected override async Task ShowAsync(string line)
    {
        await _console.Out.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).ConfigureAwait(false);
        await _console.Out.FlushAsync().ConfigureAwait(false);
    }

    protected override Task StatusAsync(string line) => _console.Error.WriteLineAsync(line);

    /// <summary>Waits only for room in the window: lines stream, and leaving waits for every acknowledgement.</summary>
    protected override async Task SendAsync(string text)
    {
        try
        {
            await Client.EnqueueAsync(text).ConfigureAwait(false);
        }
        catch (TcpMsgException ex)
        {
            await StatusAsync(ChatEventFormatter.Status(Strings.Format("Chat_NotSent", ex.Message))).ConfigureAwait(false);
        }
    }

    private async Task ReadLinesAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var input = new StreamReader(_console.In, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                await SubmitAsync(line).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Interrupted, or input went away: leave as at its end.
        }

        Inbox.Writer.TryWrite(new Leave());
    }
}
