using System.CommandLine;
using System.Text;
using TcpMsg.Cli.Localization;
using TcpMsg.Client;
using TcpMsg.Server;
using TcpMsg.Tls;

namespace TcpMsg.Cli.Commands;

/// <summary><c>tcpmsg send HOST[:PORT] [TEXT]</c>: send messages, then close the connection properly.</summary>
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
        var timeout = OptionFactory.Duration(
            "--timeout",
            TimeSpan.FromSeconds(5),
            allowInfinite: false,
            "How long connecting may take, and how long to wait for the server to close after sending. Default 5s.");
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Say what was sent once the server has closed the connection.",
        };

        var command = new Command("send", "Send messages to a tcpmsg server (or any TCP receiver), then close the connection properly.")
        {
            server, text, timeout, verbose,
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
            catch (TlsCertificateException ex)
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
            var wait = parseResult.GetValue(timeout);
            var options = Client.MessageClientOptions.Default with { ConnectTimeout = wait, CloseTimeout = wait, Tls = tls };
            return await SendAsync(app, strings, target, words.Length > 0 ? string.Join(' ', words) : null, options, parseResult.GetValue(verbose), cancellationToken)
                .ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> SendAsync(
        CliApplication app,
        Strings strings,
        HostPort target,
        string? text,
        MessageClientOptions options,
        bool verbose,
        CancellationToken cancellationToken)
    {
        long messages = 0;
        long bytes = 0;
        try
        {
            var client = await MessageClient.ConnectAsync(target, options, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                if (text is not null)
                {
                    await client.SendAsync(text, cancellationToken).ConfigureAwait(false);
                    messages++;
                    bytes += Encoding.UTF8.GetByteCount(text) + 1;
                }
                else
                {
                    using var input = new StreamReader(app.Console.In, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
                    while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        await client.SendAsync(line, cancellationToken).ConfigureAwait(false);
                        messages++;
                        bytes += Encoding.UTF8.GetByteCount(line) + 1;
                    }
                }

                await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TcpMsgConnectionException ex)
        {
            var (line, code) = ex.Failure switch
            {
                ConnectionFailure.HostNotFound => (strings.Format("Send_HostNotFound", target.Host), ExitCodes.HostNotFound),
                ConnectionFailure.Refused => (strings.Format("Send_Refused", target), ExitCodes.ConnectionRefused),
                ConnectionFailure.TimedOut => (strings.Format("Send_TimedOut", ex.Message), ExitCodes.TimedOut),
                ConnectionFailure.Reset when options.Tls is not null => (strings.Format("Send_Reset", target) + strings.Get("Send_ResetTlsHint"), ExitCodes.ConnectionReset),
                ConnectionFailure.Reset => (strings.Format("Send_Reset", target), ExitCodes.ConnectionReset),
                ConnectionFailure.Tls => (strings.Format("Send_Tls", ex.Message), ExitCodes.Tls),
                ConnectionFailure.Unreachable => (strings.Format("Send_Unreachable", target), ExitCodes.Unreachable),
                _ => (strings.Format("Send_Failed", ex.Message), ExitCodes.Failure),
            };
            await app.Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return code;
        }

        if (verbose)
        {
            await app.Console.Error.WriteLineAsync(strings.Format("Send_Done", messages, bytes, target)).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
