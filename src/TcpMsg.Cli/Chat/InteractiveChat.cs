using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;

namespace TcpMsg.Cli.Chat;

/// <summary>
/// The chat in a terminal: keys are read one by one on their own thread; what the room sends is
/// written above the input line (clear the line, write, redraw the prompt and what was typed), so
/// incoming messages never break what is being typed. Ctrl+C and Ctrl+D leave.
/// </summary>
internal sealed class InteractiveChat : ChatConversation
{
    private static readonly byte[] s_clearLine = "\r\u001b[2K"u8.ToArray();

    private readonly ITerminal _terminal;
    private readonly Stream _out;
    private readonly LineEditor _editor = new();
    private readonly string _server;

    public InteractiveChat(ChatClient client, Strings strings, Func<TcpMsgException, (string Line, int Code)> describe, ITerminal terminal, Stream output, string server)
        : base(client, strings, describe)
    {
        _terminal = terminal;
        _out = output;
        _server = server;
    }

    private string Prompt => TerminalText.Escape(Client.Name ?? "?") + "> ";

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        _terminal.SetKeyMode(true);
        var keys = new Thread(ReadKeys) { IsBackground = true, Name = "tcpmsg chat keys" };
        keys.Start();
        await ShowAsync(ChatEventFormatter.Status(Strings.Format("Chat_Connected", _server, TerminalText.Escape(Client.Name ?? "?")))).ConfigureAwait(false);
    }

    protected override async Task OnInputAsync(object input)
    {
        if (input is not ConsoleKeyInfo key)
        {
            return;
        }

        switch (_editor.Apply(key))
        {
            case EditorAction.Changed:
                await DrawAsync(ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                break;
            case EditorAction.Submit:
                var line = _editor.Take();
                await DrawAsync(ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                await SubmitAsync(line).ConfigureAwait(false);
                break;
            case EditorAction.Leave:
                Inbox.Writer.TryWrite(new Leave());
                break;
        }
    }

    protected override Task ShowAsync(string line) => DrawAsync(Encoding.UTF8.GetBytes(line + "\r\n"));

    protected override Task StatusAsync(string line) => ShowAsync(line);

    /// <summary>The message is shown once the server stored it, as the others see it.</summary>
    protected override Task SendAsync(string text)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await Client.PostAsync(text).ConfigureAwait(false);
                Inbox.Writer.TryWrite(new Shown(ChatEventFormatter.Message(DateTimeOffset.UtcNow, Client.Name ?? "?", text)));
            }
            catch (TcpMsgException ex)
            {
                Inbox.Writer.TryWrite(new Shown(ChatEventFormatter.Status(Strings.Format("Chat_NotSent", ex.Message))));
            }
        });
        return Task.CompletedTask;
    }

    protected override async Task StopAsync()
    {
        // Leave the terminal on a clean line, as it was.
        await _out.WriteAsync(s_clearLine).ConfigureAwait(false);
        await _out.FlushAsync().ConfigureAwait(false);
        _terminal.SetKeyMode(false);
    }

    /// <summary>Clears the input line, writes <paramref name="above"/> (whole lines), then draws the input line again.</summary>
    private async Task DrawAsync(ReadOnlyMemory<byte> above)
    {
        await _out.WriteAsync(s_clearLine).ConfigureAwait(false);
        if (!above.IsEmpty)
        {
            await _out.WriteAsync(above).ConfigureAwait(false);
        }

        await _out.WriteAsync(Encoding.UTF8.GetBytes(_editor.Render(Prompt, _terminal.Width))).ConfigureAwait(false);
        await _out.FlushAsync().ConfigureAwait(false);
    }

    private void ReadKeys()
    {
        while (_terminal.ReadKey() is { } key)
        {
            if (!Inbox.Writer.TryWrite(key))
            {
                return;
            }
        }

        // Input closed: as Ctrl+D.
        Inbox.Writer.TryWrite(new Leave());
    }
}
