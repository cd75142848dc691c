using System.CommandLine;
using TcpMsg.Cli.Chat;
using TcpMsg.Cli.Localization;
using TcpMsg.Client;
using TcpMsg.Server;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// <c>tcpmsg chat HOST[:PORT] [--name NAME]</c>: join a chat room (<c>tcpmsg serve --chat</c>).
/// In a terminal it is interactive; otherwise it works line by line, for scripts.
/// </summary>
internal static class ChatCommand
{
    public static Command Create(CliApplication app)
    {
        var server = new Argument<string>("HOST[:PORT]")
        {
            Description = "The chat server: a host name, an IPv4 address or an IPv6 address ([::1]:2023). Port 2023 unless given.",
        };
        var name = new Option<string>("--name")
        {
            Description = "Your name in the room (1-32 characters, no spaces). Until you type /nick NAME. [default: your address]",
        };
        var retry = new Option<TimeSpan>("--retry")
        {
            Description = "When the server goes away, keep reconnecting (backoff with jitter) for up to this long; 0 = never.",
            HelpName = "DURATION",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (text is "0" or "off" or "never")
                {
                    return TimeSpan.Zero;
                }

                if (Parsing.Duration.TryParse(text, allowInfinite: false, out var duration, out var problem))
                {
                    return duration;
                }

                result.AddError($"--retry: {problem}");
                return TimeSpan.Zero;
            },
        };
        var timeout = OptionFactory.Duration(
            "--timeout",
            TimeSpan.FromSeconds(5),
            allowInfinite: false,
            "How long connecting and the handshake may take.");

        var tokenFile = new Option<string>("--token-file")
        {
            Description = "Read the access token for a server that requires one from this file (first line). [default: $TCPMSG_TOKEN, if set]",
            HelpName = "FILE",
        };

        var command = new Command("chat", "Join a tcpmsg chat room (tcpmsg serve --chat): see what the others write, write yourself; /nick, /who, /quit.")
        {
            server, name, retry, timeout, tokenFile,
        };
        var tlsOptions = new SendTlsOptions();
        tlsOptions.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var strings = app.StringsFor(parseResult);
            if (!HostPort.TryParse(parseResult.GetRequiredValue(server), TcpMsgServerOptions.DefaultPort, out var target, out var error))
            {
                await app.Console.Error.WriteLineAsync($"tcpmsg chat: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            TlsClientOptions? tls;
            try
            {
                if (!tlsOptions.TryBuild(parseResult, out tls, out var tlsError))
                {
                    await app.Console.Error.WriteLineAsync($"tcpmsg chat: {tlsError}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
            }
            catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.CertificateInvalid)
            {
                await app.Console.Error.WriteLineAsync(strings.Format("Chat_Failed", $"TLS: {ex.Message}")).ConfigureAwait(false);
                return ExitCodes.Tls;
            }

            if (tlsOptions.IsInsecure(parseResult))
            {
                // Every time, as for send: an insecure connection must never become a silent habit.
                await app.Console.Error.WriteLineAsync(strings.Get("Send_InsecureWarning").Replace("tcpmsg send:", "tcpmsg chat:", StringComparison.Ordinal)).ConfigureAwait(false);
            }

            string? token;
            try
            {
                token = SendCommand.ReadToken(parseResult.GetValue(tokenFile));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await app.Console.Error.WriteLineAsync($"tcpmsg chat: --token-file: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var retryFor = parseResult.GetValue(retry);
            var wait = parseResult.GetValue(timeout);
            var reporter = new RetryReporter(app.Console.Error, strings, "tcpmsg chat", target.ToString(), retryFor);
            var options = MessageClientOptions.Default with
            {
                Retrying = reporter.Report,
                Name = parseResult.GetValue(name),
                RetryFor = retryFor > TimeSpan.Zero ? retryFor : null,
                ConnectTimeout = wait,
                HandshakeTimeout = wait,
                CloseTimeout = wait,
                Tls = tls,
                Token = token,
            };
            return await RunAsync(app, strings, target, options, reporter, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliApplication app, Strings strings, HostPort target, MessageClientOptions options, RetryReporter reporter, CancellationToken cancellationToken)
    {
        (string Line, int Code) Describe(TcpMsgException ex) => ex.Code switch
        {
            TcpMsgErrorCode.HostNotFound => (strings.Format("Chat_HostNotFound", target.Host), ExitCodes.HostNotFound),
            TcpMsgErrorCode.Refused => (strings.Format("Chat_Refused_Connection", target), ExitCodes.ConnectionRefused),
            TcpMsgErrorCode.TimedOut => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.TimedOut),
            TcpMsgErrorCode.Reset => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.ConnectionReset),
            TcpMsgErrorCode.Unreachable => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.Unreachable),
            TcpMsgErrorCode.NotTcpMsgServer => (strings.Format("Chat_NotTcpMsg", target), ExitCodes.NotTcpMsgServer),
            TcpMsgErrorCode.NoChatRoom => (strings.Format("Chat_NoRoom", target), ExitCodes.NoChatRoom),
            TcpMsgErrorCode.TlsHandshakeFailed => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.Tls),
            TcpMsgErrorCode.Unauthorized => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.Unauthorized),
            TcpMsgErrorCode.RejectedByServer => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.NotDelivered),
            TcpMsgErrorCode.AccessDenied => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.AccessDenied),
            TcpMsgErrorCode.ServerBusy => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.ConnectionRefused),
            _ => (strings.Format("Chat_Failed", ErrorText.ClientMessage(ex)), ExitCodes.Failure),
        };

        ChatClient client;
        try
        {
            client = await ChatClient.ConnectAsync(target.Host, target.Port, options, cancellationToken).ConfigureAwait(false);
        }
        catch (TcpMsgException ex)
        {
            var (line, code) = Describe(ex);
            await app.Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return code;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C while still trying to connect: say so, never "connected".
            await app.Console.Error.WriteLineAsync(strings.Format("NeverConnected", "tcpmsg chat", target)).ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }

        reporter.Reset();

        await using (client.ConfigureAwait(false))
        {
            ChatConversation conversation = app.Console.Terminal is { } terminal
                ? new InteractiveChat(client, strings, Describe, terminal, app.Console.Out, target.ToString())
                : new LineModeChat(client, strings, Describe, app.Console, target.ToString());
            return await conversation.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
