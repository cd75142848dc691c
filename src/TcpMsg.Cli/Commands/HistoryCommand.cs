using System.Buffers;
using System.CommandLine;
using System.Net;
using TcpMsg.Cli.Output;
using TcpMsg.Cli.Parsing;
using TcpMsg.Storage;

namespace TcpMsg.Cli.Commands;

/// <summary><c>tcpmsg history</c>: what the server has stored, also while it runs; <c>--follow</c> keeps printing.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliApplication app)
    {
        var store = StoreLocation.StoreOption(
            "The store to read: a SQLite file (relative to the working directory, or absolute) or a PostgreSQL database (postgresql://user@host:port/db, or Host=...;Database=...).");
        var storePasswordFile = StoreLocation.PasswordFileOption();
        var limit = OptionFactory.Integer("--limit", HistoryQuery.Default.Limit, 1, int.MaxValue, "How many of the newest messages to show (oldest first).", "-n");
        var since = new Option<string>("--since") { Description = "Only messages received at or after this time (2026-11-25T08:00:00Z) or this long ago (10m, 2h).", HelpName = "TIME" };
        var until = new Option<string>("--until") { Description = "Only messages received before this time or this long ago.", HelpName = "TIME" };
        var from = new Option<string>("--from") { Description = "Only messages from this address (127.0.0.1, ::1) or address and port (127.0.0.1:54321, [::1]:54321).", HelpName = "ADDRESS" };
        var sender = new Option<string>("--sender") { Description = "Only messages of this confirmed sender (its client id, as `tcpmsg send --client-id` gave it).", HelpName = "ID" };
        var count = new Option<bool>("--count") { Description = "Print only how many stored messages match (--limit does not apply)." };
        var contains = new Option<string>("--contains") { Description = "Only messages whose text contains this (case-sensitive).", HelpName = "TEXT" };
        var appName = new Option<string>("--app") { Description = "Only syslog messages from this application (APP-NAME or TAG).", HelpName = "NAME" };
        var hostName = new Option<string>("--host") { Description = "Only syslog messages from this host name.", HelpName = "NAME" };
        var severity = new Option<string>("--severity")
        {
            Description = "Only syslog messages of this severity or worse: emerg, alert, crit, err, warning, notice, info, debug (or 0-7).",
            HelpName = "LEVEL",
        };
        var format = OptionFactory.Choice("--format", OutputFormat.Text, "text (the server's lines) or json (one object per message).");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new messages as they are stored, like tail -f; Ctrl+C ends." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Under each message: its id, time, sender's address and port, and client certificate (TLS)." };

        var command = new Command("history", "Show what a tcpmsg server has stored, even while it is running.")
        {
            store, storePasswordFile, limit, since, until, from, sender, contains, appName, hostName, severity, format, follow, verbose, count,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var strings = app.StringsFor(parseResult);
            var error = app.Console.Error;
            var now = DateTimeOffset.UtcNow;
            var query = HistoryQuery.Default with
            {
                Limit = parseResult.GetValue(limit),
                Contains = parseResult.GetValue(contains),
                ClientId = parseResult.GetValue(sender),
                App = parseResult.GetValue(appName),
                Host = parseResult.GetValue(hostName),
            };
            if (parseResult.GetValue(severity) is { } level)
            {
                if (!SyslogInfo.TryParseSeverity(level, out var worst))
                {
                    await error.WriteLineAsync($"tcpmsg history: --severity '{level}' is not a level (emerg, alert, crit, err, warning, notice, info, debug, or 0-7)").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                query = query with { Severity = worst };
            }

            foreach (var (option, apply) in new (Option<string>, Func<DateTimeOffset, HistoryQuery>)[]
            {
                (since, t => query with { Since = t }),
                (until, t => query with { Until = t }),
            })
            {
                if (parseResult.GetValue(option) is { } text)
                {
                    if (!TimeArgument.TryParse(text, now, out var time, out var problem))
                    {
                        await error.WriteLineAsync($"tcpmsg history: {option.Name} {problem}").ConfigureAwait(false);
                        return ExitCodes.Usage;
                    }

                    query = apply(time);
                }
            }

            if (parseResult.GetValue(from) is { } peer)
            {
                if (!TryParsePeer(peer, out var address, out var port))
                {
                    await error.WriteLineAsync($"tcpmsg history: --from '{peer}' is not an address (127.0.0.1, ::1, [::1]:54321)").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                query = query with { FromAddress = address, FromPort = port };
            }

            var storeLocation = parseResult.GetValue(store)!;
            if (StoreLocation.Check(storeLocation, parseResult.GetValue(storePasswordFile)) is { } storeError)
            {
                await error.WriteLineAsync($"tcpmsg history: {storeError}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            MessageHistory history;
            try
            {
                history = MessageHistory.Open(StoreOptions.Default with { Path = storeLocation, PasswordFile = parseResult.GetValue(storePasswordFile) });
            }
            catch (TcpMsgException ex)
            {
                await error.WriteLineAsync(strings.Format("StoreFailed", ErrorText.StoreMessage(ex))).ConfigureAwait(false);
                return ExitCodes.StoreFailed;
            }

            using (history)
            {
                var text = new TextEventFormatter(strings, verbose: false);
                var json = parseResult.GetValue(format) == OutputFormat.Json ? new JsonEventFormatter() : null;
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                async Task PrintAsync(StoredMessage message, bool flush)
                {
                    if (json is not null)
                    {
                        json.Write(message, buffer);
                    }
                    else
                    {
                        // When it was received, in local time as a log reader expects (TZ=UTC for UTC).
                        WriteTime(message.ReceivedAt, buffer);
                        text.WriteMessageLine(message.PeerAddress, message.Syslog is { } syslog ? TextEventFormatter.SyslogText(syslog) : message.Text, buffer);
                        if (parseResult.GetValue(verbose))
                        {
                            var time = message.ReceivedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
                            var detail = message.ClientCertificate is null
                                ? strings.Format("HistoryDetail", message.Id, time, message.PeerEndPoint)
                                : strings.Format("HistoryDetailCertificate", message.Id, time, message.PeerEndPoint, TerminalText.Escape(message.ClientCertificate));
                            System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, detail + "\n", buffer);
                        }
                    }

                    if (flush || buffer.WrittenCount > 256 * 1024)
                    {
                        await app.Console.Out.WriteAsync(buffer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                        await app.Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        buffer.ResetWrittenCount();
                    }
                }

                try
                {
                    if (parseResult.GetValue(count))
                    {
                        var total = history.Count(query);
                        await app.Console.Out.WriteAsync(System.Text.Encoding.UTF8.GetBytes(total.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"), CancellationToken.None).ConfigureAwait(false);
                        await app.Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        await TellRemovedAsync(history, query with { Limit = int.MaxValue }, (int)Math.Min(total, int.MaxValue), error).ConfigureAwait(false);
                    }
                    else if (parseResult.GetValue(follow))
                    {
                        await foreach (var message in history.FollowAsync(query, cancellationToken).ConfigureAwait(false))
                        {
                            await PrintAsync(message, flush: true).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        var messages = history.Read(query);
                        for (var i = 0; i < messages.Count; i++)
                        {
                            await PrintAsync(messages[i], flush: i == messages.Count - 1).ConfigureAwait(false);
                        }

                        if (messages.Count == 0)
                        {
                            // On standard error: a pipeline reading standard output sees no lines, a person sees why.
                            await error.WriteLineAsync(strings.Get("History_None")).ConfigureAwait(false);
                        }

                        await TellRemovedAsync(history, query, messages.Count, error).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C is how --follow ends.
                }
                catch (TcpMsgException ex)
                {
                    await error.WriteLineAsync(strings.Format("StoreFailed", ErrorText.StoreMessage(ex))).ConfigureAwait(false);
                    return ExitCodes.StoreFailed;
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>On standard error: the range asked for reaches into what retention removed.</summary>
    private static async Task TellRemovedAsync(MessageHistory history, HistoryQuery query, int returned, TextWriter error)
    {
        if (history.RemovedThrough(query, returned) is { } through)
        {
            var time = through.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            await error.WriteLineAsync($"tcpmsg history: messages received up to {time} were removed by the server's retention (--retain, --max-store-size)").ConfigureAwait(false);
        }
    }

    /// <summary>Writes <c>2026-12-04 09:30:15 </c>: the local date and time, to the second.</summary>
    private static void WriteTime(DateTimeOffset time, ArrayBufferWriter<byte> buffer)
    {
        var span = buffer.GetSpan(32);
        if (!time.ToLocalTime().DateTime.TryFormat(span, out var written, "yyyy-MM-dd HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a timestamp does not fit in 32 bytes");
        }

        buffer.Advance(written);
    }

    private static bool TryParsePeer(string text, out string address, out int? port)
    {
        address = text;
        port = null;
        if (IPAddress.TryParse(text, out var plain))
        {
            address = plain.ToString();
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endpoint))
        {
            address = endpoint.Address.ToString();
            port = endpoint.Port;
            return true;
        }

        return false;
    }
}
