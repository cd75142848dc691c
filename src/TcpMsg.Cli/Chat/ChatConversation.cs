using System.Threading.Channels;
using TcpMsg.Cli.Localization;
using TcpMsg.Client;
using TcpMsg.Protocol;

namespace TcpMsg.Cli.Chat;

/// <summary>
/// One run of <c>tcpmsg chat</c>: one loop takes, in order, what the room sends, what the user
/// types, and the answers to commands, so the screen is only ever written from one place. The
/// two ways of talking (a terminal, or lines) differ only in input and output.
/// </summary>
internal abstract class ChatConversation
{
    // Leaving waits this long for the last messages to be acknowledged and the server's goodbye.
    private static readonly TimeSpan s_leaveTimeout = TimeSpan.FromSeconds(5);

    protected ChatConversation(ChatClient client, Strings strings, Func<TcpMsgException, (string Line, int Code)> describe)
    {
        Client = client;
        Strings = strings;
        Formatter = new ChatEventFormatter(strings);
        Describe = describe;
    }

    protected ChatClient Client { get; }

    protected Strings Strings { get; }

    protected ChatEventFormatter Formatter { get; }

    protected Channel<object> Inbox { get; } = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    private Func<TcpMsgException, (string Line, int Code)> Describe { get; }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        _ = PumpAsync();
        try
        {
            while (true)
            {
                object item;
                try
                {
                    item = await Inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C or SIGTERM: leave as /quit does.
                    return await LeaveAsync().ConfigureAwait(false);
                }

                switch (item)
                {
                    case Leave:
                        return await LeaveAsync().ConfigureAwait(false);
                    case Ended ended:
                        return await EndAsync(ended.Failure).ConfigureAwait(false);
                    case ChatNotice { Kind: NoticeKind.ConnectionLost or NoticeKind.Reconnected } change:
                        await StatusAsync(Formatter.Format(change)!).ConfigureAwait(false);
                        break;
                    case ChatEvent chatEvent when Formatter.Format(chatEvent) is { } line:
                        await ShowAsync(line).ConfigureAwait(false);
                        break;
                    case Shown shown:
                        await ShowAsync(shown.Line).ConfigureAwait(false);
                        break;
                    case ChatEvent:
                        break;
                    default:
                        await OnInputAsync(item).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (IOException)
        {
            // Standard output went away (`tcpmsg chat ... | head`): leave quietly.
            return await LeaveAsync().ConfigureAwait(false);
        }
        finally
        {
            await StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Shows the first lines and starts reading the user's input into <see cref="Inbox"/>.</summary>
    protected abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Something the user did that is not a whole line (a key press), if this way of talking has such.</summary>
    protected abstract Task OnInputAsync(object input);

    /// <summary>A line of the conversation.</summary>
    protected abstract Task ShowAsync(string line);

    /// <summary>A line about the client itself (connection lost, back, failed).</summary>
    protected abstract Task StatusAsync(string line);

    /// <summary>Sends a message the user typed.</summary>
    protected abstract Task SendAsync(string text);

    protected virtual Task StopAsync() => Task.CompletedTask;

    /// <summary>Acts on a line the user typed: a command, or a message for the room.</summary>
    protected async Task SubmitAsync(string line)
    {
        var input = ChatInput.Parse(line);
        switch (input.Kind)
        {
            case ChatInputKind.Quit:
                Inbox.Writer.TryWrite(new Leave());
                break;
            case ChatInputKind.Nick when input.Text.Length > 0:
                Answer(async () => ChatEventFormatter.Status(Strings.Format("Chat_NameNow", TerminalText.Escape(await Client.ChangeNameAsync(input.Text).ConfigureAwait(false)))));
                break;
            case ChatInputKind.Who:
                Answer(async () => Formatter.Who(await Client.WhoAsync().ConfigureAwait(false)));
                break;
            case ChatInputKind.Nick or ChatInputKind.Help:
                Inbox.Writer.TryWrite(new Shown(ChatEventFormatter.Status(Strings.Get("Chat_Help"))));
                break;
            default:
                if (input.Text.Length > 0)
                {
                    await SendAsync(input.Text).ConfigureAwait(false);
                }

                break;
        }
    }

    /// <summary>Runs a command in the background; its answer (or why it failed) comes back through <see cref="Inbox"/>.</summary>
    protected void Answer(Func<Task<string>> command) => _ = Task.Run(async () =>
    {
        string line;
        try
        {
            line = await command().ConfigureAwait(false);
        }
        catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.ChatCommandRefused)
        {
            line = ChatEventFormatter.Status(ex.Subject is null
                ? Strings.Format("Chat_RefusedCommand", ex.Reason)
                : Strings.Format("Chat_Refused", TerminalText.Escape(ex.Subject), ex.Reason));
        }
        catch (TcpMsgException ex)
        {
            line = ChatEventFormatter.Status(Strings.Format("Chat_NotSent", ex.Message));
        }

        Inbox.Writer.TryWrite(new Shown(line));
    });

    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            await foreach (var chatEvent in Client.ReadAsync().ConfigureAwait(false))
            {
                Inbox.Writer.TryWrite(chatEvent);
            }
        }
        catch (Exception ex) when (ex is TcpMsgException or ObjectDisposedException)
        {
            failure = ex;
        }

        Inbox.Writer.TryWrite(new Ended(failure));
    }

    private async Task<int> LeaveAsync()
    {
        using var limit = new CancellationTokenSource(s_leaveTimeout);
        try
        {
            await Client.CompleteAsync(limit.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.NotDelivered)
        {
            await StatusAsync(Strings.Format("Send_NotDelivered", Client.Statistics.Failed, Client.Statistics.Delivered, ex.InnerException?.Message ?? ex.Message)).ConfigureAwait(false);
            return ExitCodes.NotDelivered;
        }
        catch (OperationCanceledException)
        {
            await StatusAsync(Strings.Format("Chat_Failed", $"the server did not confirm the last messages within {s_leaveTimeout.TotalSeconds:0} s")).ConfigureAwait(false);
            return ExitCodes.NotDelivered;
        }
        catch (TcpMsgException ex)
        {
            return await EndAsync(ex).ConfigureAwait(false);
        }
    }

    private async Task<int> EndAsync(Exception? failure)
    {
        if (failure is not TcpMsgException problem)
        {
            return ExitCodes.Ok;
        }

        var (line, code) = Describe(problem);
        await StatusAsync(line).ConfigureAwait(false);
        return code;
    }

    /// <summary>The user leaves (/quit, Ctrl+C, Ctrl+D, end of input).</summary>
    protected sealed record Leave;

    /// <summary>A line to show: an answer to a command, the user's own message once stored.</summary>
    protected sealed record Shown(string Line);

    /// <summary>The room's stream ended: the client completed, or the connection was lost for good.</summary>
    private sealed record Ended(Exception? Failure);
}
