using System.CommandLine;
using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Client;
using TcpMsg.Server;

namespace TcpMsg.Cli.Commands;

/// <summary>
/// <c>tcpmsg send HOST[:PORT] [TEXT]</c>: send messages with confirmed delivery (or plain, with
/// <c>--plain</c>), then close the connection properly.
/// </summary>
internal static class SendCommand
{
    public static Command Create(CliApplication app)
    {
        var server = new Argument<string>("HOST[:PORT]")
        {
            Description = "The server: a host name, an IPv4 address or an IPv6 address ([::1]:2023). Port 2023 unless given.",
        };
        var text = new Argument<string[]>("TEXT")
        {
            Description = "The message; several words are joined with spaces. Without TEXT, each line of standard input is a message.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var plain = new Option<bool>("--plain")
        {
            Description = "Send plain UTF-8 lines, for any TCP receiver (nc, the tutorial's server); nothing is confirmed.",
        };
        var retry = OptionFactory.Duration(
            "--retry",
            TimeSpan.Zero,
            allowInfinite: false,
            "Keep reconnecting (exponential backoff with jitter) for up to this long until every message is acknowledged, e.g. 30s, 5m.");
        retry.DefaultValueFactory = null;
        var timeout = OptionFactory.Duration(
            "--timeout",
            TimeSpan.FromSeconds(5),
            allowInfinite: false,
            "How long connecting, the handshake and the final close may each take.");
        var clientId = new Option<string>("--client-id")
        {
            Description = "A stable sender id: a later run with the same id continues its sequence, and the server drops what it already has.",
        };
        var tokenFile = new Option<string>("--token-file")
        {
            Description = "Read the access token for a server that requires one from this file (first line). [default: $TCPMSG_TOKEN, if set]",
            HelpName = "FILE",
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Print what was delivered (the store's message id).",
        };
        var skipOversized = new Option<bool>("--skip-oversized")
        {
            Description = "A line of standard input larger than the server accepts is skipped (and said so) instead of stopping the send there.",
        };

        var command = new Command("send", "Send messages to a tcpmsg server and wait until each is stored (or, with --plain, to any TCP receiver).")
        {
            server, text, plain, retry, timeout, clientId, tokenFile, verbose, skipOversized,
        };
        var tlsOptions = new SendTlsOptions();
        tlsOptions.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var strings = app.StringsFor(parseResult);
            if (!HostPort.TryParse(parseResult.GetRequiredValue(server), TcpMsgServerOptions.DefaultPort, out var target, out var error))
            {
                await app.Console.Error.WriteLineAsync($"tcpmsg send: {error}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            TlsClientOptions? tls;
            try
            {
                if (!tlsOptions.TryBuild(parseResult, out tls, out var tlsError))
                {
                    await app.Console.Error.WriteLineAsync($"tcpmsg send: {tlsError}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
            }
            catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.CertificateInvalid)
            {
                await app.Console.Error.WriteLineAsync(strings.Format("Send_TlsCertificate", ex.Message)).ConfigureAwait(false);
                return ExitCodes.Tls;
            }

            if (tlsOptions.IsInsecure(parseResult))
            {
                // Every time, on purpose: an insecure connection must never become a silent habit.
                await app.Console.Error.WriteLineAsync(strings.Get("Send_InsecureWarning")).ConfigureAwait(false);
            }

            var words = parseResult.GetValue(text) ?? [];
            if (words.Length == 0 && app.Console.IsInputClosed)
            {
                // Started with <&-: what the runtime put on descriptor 0 is not input.
                await app.Console.Error.WriteLineAsync(strings.Get("Send_InputClosed")).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (words.Length == 0 && !app.Console.IsInputRedirected)
            {
                await app.Console.Error.WriteLineAsync(strings.Get("Send_ReadingTerminal")).ConfigureAwait(false);
            }

            var wait = parseResult.GetValue(timeout);
            string? token;
            try
            {
                token = ReadToken(parseResult.GetValue(tokenFile));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await app.Console.Error.WriteLineAsync($"tcpmsg send: --token-file: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var options = MessageClientOptions.Default with
            {
                Token = token,
                Plain = parseResult.GetValue(plain),
                ConnectTimeout = wait,
                HandshakeTimeout = wait,
                CloseTimeout = wait,
                RetryFor = parseResult.GetResult(retry) is null ? null : parseResult.GetValue(retry),
                ClientId = parseResult.GetValue(clientId),
                Tls = tls,
            };
            // On a terminal, progress is drawn on one status line that diagnostics write around.
            var status = app.Console.IsErrorTerminal ? new StatusLine(app.Console.Error) : null;
            var errors = (TextWriter?)status ?? app.Console.Error;
            if (options.RetryFor is { } retryFor)
            {
                // An outage is said as it happens, whatever the verbosity: silence would look like a hang.
                var reporter = new RetryReporter(errors, strings, "tcpmsg send", target.ToString(), retryFor);
                options = options with { Retrying = reporter.Report, ConnectionLost = reporter.Lost, Reconnected = reporter.Recovered };
            }

            var sender = new Sender(app, strings, target, options, parseResult.GetValue(verbose), errors, status) { SkipOversized = parseResult.GetValue(skipOversized) };
            return await sender.RunAsync(words.Length > 0 ? string.Join(' ', words) : null, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The token from a file (its first non-empty line) or from $TCPMSG_TOKEN; never from an argument, which ps would show.</summary>
    internal static string? ReadToken(string? file) =>
        file is not null
            ? File.ReadLines(file).Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0 && !line.StartsWith('#'))
                ?? throw new IOException($"{file} holds no token")
            : Environment.GetEnvironmentVariable("TCPMSG_TOKEN") is { Length: > 0 } variable ? variable.Trim() : null;

    private sealed class Sender(CliApplication app, Strings strings, HostPort target, MessageClientOptions options, bool verbose, TextWriter errors, StatusLine? status)
    {
        /// <summary>Skip a line too large for the server instead of stopping there.</summary>
        public bool SkipOversized { get; init; }

        public async Task<int> RunAsync(string? text, CancellationToken cancellationToken)
        {
            MessageClient client;
            try
            {
                client = await MessageClient.ConnectAsync(target.Host, target.Port, options, cancellationToken).ConfigureAwait(false);
            }
            catch (TcpMsgException ex)
            {
                return await FailAsync(ex).ConfigureAwait(false);
            }

            await using (client.ConfigureAwait(false))
            {
                // A single message is quick; lines from standard input may take long: show how it goes.
                var progress = status is not null && text is null ? SendProgress.Start(status, strings, client.Statistics, !client.IsPlain) : null;
                try
                {
                    if (text is not null)
                    {
                        await client.EnqueueAsync(text, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // Lines stream through the window: bounded memory, no round trip per message.
                        using var input = new StreamReader(app.Console.In, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
                        if (await SendLinesAsync(client, input, cancellationToken).ConfigureAwait(false) is { } stopped)
                        {
                            return stopped;
                        }
                    }

                    await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.NotDelivered)
                {
                    await errors.WriteLineAsync(strings.Format("Send_NotDelivered", client.Statistics.Failed, client.Statistics.Delivered, ex.InnerException?.Message ?? ex.Message)).ConfigureAwait(false);
                    return ex.InnerException is TcpMsgException { Code: TcpMsgErrorCode.StoreFailed } ? ExitCodes.StoreFailed : ExitCodes.NotDelivered;
                }
                catch (TcpMsgException ex) when (ex.Reason is not null || ex.Code == TcpMsgErrorCode.MessageTooLarge)
                {
                    // The server refused the message (an ERROR frame, in its own words), or it is larger than the server takes.
                    await errors.WriteLineAsync(strings.Format("Send_Rejected", ex.Reason ?? ex.Message)).ConfigureAwait(false);
                    return ExitCodes.NotDelivered;
                }
                catch (TcpMsgException ex)
                {
                    return await FailAsync(ex).ConfigureAwait(false);
                }
                finally
                {
                    if (progress is not null)
                    {
                        await progress.DisposeAsync().ConfigureAwait(false);
                    }
                }

                if (verbose)
                {
                    await ReportAsync(client).ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        }

        /// <summary>
        /// Each line is a message. A line larger than the server accepts is skipped (--skip-oversized)
        /// or ends the send there, after the lines before it were delivered: the exit code then, else null.
        /// </summary>
        private async Task<int?> SendLinesAsync(MessageClient client, StreamReader input, CancellationToken cancellationToken)
        {
            long number = 0;
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                number++;
                try
                {
                    await client.EnqueueAsync(line, cancellationToken).ConfigureAwait(false);
                }
                catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.MessageTooLarge)
                {
                    if (SkipOversized)
                    {
                        await errors.WriteLineAsync(strings.Format("Send_LineSkipped", number, ex.Message)).ConfigureAwait(false);
                        continue;
                    }

                    // Deliver what came before it, then say where the send stopped and what it left.
                    await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
                    var after = 0L;
                    if (app.Console.IsInputRedirected)
                    {
                        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is not null)
                        {
                            after++;
                        }
                    }

                    await errors.WriteLineAsync(strings.Format("Send_LineTooLarge", number, ex.Message, after + 1, number - 1)).ConfigureAwait(false);
                    return ExitCodes.NotDelivered;
                }
            }

            return null;
        }

        private async Task ReportAsync(MessageClient client)
        {
            var statistics = client.Statistics;
            string line;
            if (client.IsPlain)
            {
                line = strings.Format("Send_Done", statistics.Delivered, target);
            }
            else if (statistics.Delivered == 1)
            {
                line = strings.Format("Send_Delivered", statistics.LastId);
            }
            else
            {
                line = strings.Format("Send_DeliveredMany", statistics.Delivered, statistics.LastId);
            }

            await using var output = new StreamWriter(app.Console.Out, new UTF8Encoding(false), leaveOpen: true);
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        private async Task<int> FailAsync(TcpMsgException ex)
        {
            var (line, code) = ex.Code switch
            {
                TcpMsgErrorCode.HostNotFound => (strings.Format("Send_HostNotFound", target.Host), ExitCodes.HostNotFound),
                TcpMsgErrorCode.Refused => (strings.Format("Send_Refused", target), ExitCodes.ConnectionRefused),
                TcpMsgErrorCode.TimedOut => (strings.Format("Send_TimedOut", ErrorText.ClientMessage(ex)), ExitCodes.TimedOut),
                TcpMsgErrorCode.Reset when options.Tls is not null => (strings.Format("Send_Reset", target) + strings.Get("Send_ResetTlsHint"), ExitCodes.ConnectionReset),
                TcpMsgErrorCode.Reset => (strings.Format("Send_Reset", target) + strings.Get("Send_ResetPlainHint"), ExitCodes.ConnectionReset),
                TcpMsgErrorCode.TlsHandshakeFailed => (strings.Format("Send_Tls", ErrorText.ClientMessage(ex)), ExitCodes.Tls),
                TcpMsgErrorCode.Unreachable => (strings.Format("Send_Unreachable", target), ExitCodes.Unreachable),
                TcpMsgErrorCode.NotTcpMsgServer => (strings.Format("Send_NotTcpMsg", target), ExitCodes.NotTcpMsgServer),
                TcpMsgErrorCode.Unauthorized when options.Token is not null => (strings.Format("Send_TokenRefused", target), ExitCodes.Unauthorized),
                TcpMsgErrorCode.Unauthorized => (strings.Format("Send_Unauthorized", target), ExitCodes.Unauthorized),
                TcpMsgErrorCode.AccessDenied => (strings.Format("Send_Failed", ErrorText.ClientMessage(ex)), ExitCodes.AccessDenied),
                TcpMsgErrorCode.ServerBusy => (strings.Format("Send_Failed", ErrorText.ClientMessage(ex)), ExitCodes.ConnectionRefused),
                TcpMsgErrorCode.RejectedByServer or TcpMsgErrorCode.ClientIdInUse => (strings.Format("Send_Failed", ErrorText.ClientMessage(ex)), ExitCodes.NotDelivered),
                TcpMsgErrorCode.StoreFailed => (strings.Format("Send_Failed", ErrorText.ClientMessage(ex)), ExitCodes.StoreFailed),
                _ => (strings.Format("Send_Failed", ErrorText.ClientMessage(ex)), ExitCodes.Failure),
            };
            await errors.WriteLineAsync(line).ConfigureAwait(false);
            return code;
        }
    }
}
