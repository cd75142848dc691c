using System.CommandLine;
using Microsoft.Extensions.Logging;
using TcpMsg.Cli.Hosting;
using TcpMsg.Cli.Localization;
using TcpMsg.Cli.Output;
using TcpMsg.Server;
using TcpMsg.Storage;

namespace TcpMsg.Cli.Commands;

/// <summary><c>tcpmsg serve</c>: receive messages and print them.</summary>
internal static class ServeCommand
{
    public static Command Create(CliApplication app)
    {
        var port = OptionFactory.Integer(
            "--port",
            TcpMsgServerOptions.DefaultPort,
            0,
            65535,
            "Port to listen on, on every interface (IPv4 and IPv6); also the port of --listen addresses that name none.",
            "-p");
        port.HelpName = "PORT";
        var listen = new Option<string[]>("--listen", "-l")
        {
            Description = "ADDRESS[:PORT] to listen on, instead of every interface; repeatable. Examples: 127.0.0.1, [::1]:2023, *:2024, localhost.",
            HelpName = "ADDRESS[:PORT]",
            AllowMultipleArgumentsPerToken = false,
        };
        var framing = OptionFactory.Choice(
            "--framing",
            FramingChoice.Lines,
            "How plain connections are cut into messages: lines (one message per line) or whole (one message per connection).");
        var syslog = OptionFactory.Choice(
            "--syslog",
            SyslogMode.Auto,
            "Syslog senders: auto (octet counting detected, messages that begin with <PRI> parsed), on (every message is syslog), off (plain text only).");
        var maxMessageSize = OptionFactory.Size(
            "--max-message-size",
            TcpMsgServerOptions.Default.MaxMessageSize,
            "Largest message accepted (e.g. 64KiB, 4MiB); a longer one closes its connection.");
        var idleTimeout = OptionFactory.Duration(
            "--idle-timeout",
            TcpMsgServerOptions.Default.IdleTimeout,
            allowInfinite: true,
            "Close a connection when nothing arrives for this long (e.g. 30s, 5m; 0 = never).");
        var maxConnections = OptionFactory.Integer(
            "--max-connections",
            TcpMsgServerOptions.Default.MaxConnections,
            1,
            int.MaxValue,
            "Most connections open at once; more are refused.");
        var shutdownTimeout = OptionFactory.Duration(
            "--shutdown-timeout",
            TcpMsgServerOptions.Default.ShutdownTimeout,
            allowInfinite: false,
            "On Ctrl+C or SIGTERM, how long open connections may go on before they are closed.");
        var format = OptionFactory.Choice(
            "--format",
            OutputFormat.Text,
            "Output: text (the tutorial's lines) or json (one JSON object per event).");
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Narrate each connection: handshake, the client's FIN, the server's close, bytes and duration.",
        };
        var store = StoreLocation.StoreOption(
            "Where messages are stored before they count as received: a SQLite file (relative to the working directory, or absolute), " +
            "or a PostgreSQL database shared by several servers (postgresql://user@host:port/db, or Host=...;Database=...).");
        var storePasswordFile = StoreLocation.PasswordFileOption();
        var noStore = new Option<bool>("--no-store")
        {
            Description = "Do not store messages: print (and acknowledge) them as they arrive.",
        };
        var durability = OptionFactory.Choice(
            "--durability",
            Durability.Fsync,
            "fsync: an acknowledged message survives a power loss. process: it survives a crash of the server process; faster.");

        var retain = OptionFactory.Duration("--retain", TimeSpan.Zero, allowInfinite: true, "Remove stored messages older than this (30d, 12h); 0 keeps them all.");
        var searchIndex = new Option<bool>("--search-index") { Description = "Keep a trigram index of the stored text, so that history --contains stays fast on a large store (more CPU, about as much disk again as the text)." };
        var maxStoreSize = OptionFactory.Size("--max-store-size", 0, "Remove the oldest stored messages while the store (file and WAL) is larger than this (10GiB); 0 for no cap.");

        var chat = ChatRoomOptions(out var chatOptions);
        var command = new Command("serve", "Receive messages on TCP port 2023 and print them.")
        {
            port, listen, framing, syslog, maxMessageSize, idleTimeout, maxConnections, shutdownTimeout, format, verbose, store, storePasswordFile, noStore, durability, retain, maxStoreSize, searchIndex,
        };
        var security = new ServeSecurityOptions();
        security.AddTo(command);
        var http = new ServeHttpOptions();
        http.AddTo(command);
        foreach (var option in chatOptions)
        {
            command.Options.Add(option);
        }

        // Read by CliApplication before the action runs: the file's settings become options.
        command.Options.Add(new Option<string>(Parsing.ConfigFile.OptionName)
        {
            Description = "Read settings from this JSON file, named as these options without their dashes, e.g. {\"port\": 2023, \"allow\": [\"10.0.0.0/8\"], \"no-plain\": true}; options given on the command line win.",
            HelpName = "FILE",
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var strings = app.StringsFor(parseResult);
            var defaultPort = parseResult.GetValue(port);
            var endpoints = new List<ListenEndpoint>();
            foreach (var text in parseResult.GetValue(listen) ?? [])
            {
                if (!ListenEndpoint.TryParse(text, defaultPort, out var endpoint, out var error))
                {
                    await app.Console.Error.WriteLineAsync($"tcpmsg: --listen {error}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                endpoints.Add(endpoint!);
            }

            if (!security.TryCompleteEndpoints(parseResult, endpoints, defaultPort, out var securityError) ||
                !security.TryBuild(parseResult, out var protection, out securityError) ||
                !http.TryBuild(parseResult, out var httpOptions, out securityError))
            {
                await app.Console.Error.WriteLineAsync($"tcpmsg: {securityError}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var maxSize = parseResult.GetValue(maxMessageSize);
            if (maxSize > int.MaxValue - (1024 * 1024))
            {
                await app.Console.Error.WriteLineAsync("tcpmsg: --max-message-size must be below 2 GiB").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var storeLocation = parseResult.GetValue(store)!;
            if (!parseResult.GetValue(noStore))
            {
                var storeError = StoreLocation.Check(storeLocation, parseResult.GetValue(storePasswordFile));
                if (storeError is null && StoreLocation.IsPostgres(storeLocation) &&
                    (parseResult.GetValue(retain) is { } kept && kept > TimeSpan.Zero || parseResult.GetValue(maxStoreSize) > 0 || parseResult.GetValue(searchIndex)))
                {
                    storeError = "--retain, --max-store-size and --search-index are for the SQLite store only";
                }

                if (storeError is not null)
                {
                    await app.Console.Error.WriteLineAsync($"tcpmsg: {storeError}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
            }

            var options = TcpMsgServerOptions.Default with
            {
                Endpoints = endpoints,
                Framing = parseResult.GetValue(framing) == FramingChoice.Whole ? MessageFraming.Whole : MessageFraming.Line,
                Syslog = parseResult.GetValue(syslog),
                MaxMessageSize = (int)maxSize,
                IdleTimeout = parseResult.GetValue(idleTimeout),
                MaxConnections = parseResult.GetValue(maxConnections),
                ShutdownTimeout = parseResult.GetValue(shutdownTimeout),
                Store = parseResult.GetValue(noStore)
                    ? null
                    : StoreOptions.Default with
                    {
                        Path = storeLocation,
                        PasswordFile = parseResult.GetValue(storePasswordFile),
                        Durability = parseResult.GetValue(durability),
                        Retain = parseResult.GetValue(retain) is { } keep && keep > TimeSpan.Zero && keep != Timeout.InfiniteTimeSpan ? keep : null,
                        MaxSize = parseResult.GetValue(maxStoreSize) is > 0 and var cap ? cap : null,
                        SearchIndex = parseResult.GetValue(searchIndex),
                    },
                Security = protection,
                Chat = chat(parseResult),
                Http = httpOptions,
            };

            return await RunAsync(app, strings, options, parseResult.GetValue(format), parseResult.GetValue(verbose), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The chat room's options: --chat turns it on; the others tune it.</summary>
    private static Func<ParseResult, ChatOptions?> ChatRoomOptions(out Option[] options)
    {
        var chat = new Option<bool>("--chat")
        {
            Description = "Run a chat room: every stored message is also sent to every other connected client (nc users included); standard input posts to the room.",
        };
        var history = OptionFactory.Integer(
            "--chat-history",
            ChatOptions.Default.HistorySize,
            0,
            100_000,
            "With --chat: how many of the last stored messages a client gets when it joins.");
        var slowClient = OptionFactory.Choice(
            "--slow-client",
            SlowClientChoice.Disconnect,
            "With --chat: a client further behind than --chat-queue: disconnect (it catches up from the store, and only a client that takes nothing for --slow-client-timeout is disconnected) or drop (it skips what it missed and is told how many).");
        var slowTimeout = OptionFactory.Duration(
            "--slow-client-timeout",
            ChatOptions.Default.SlowClientTimeout,
            allowInfinite: true,
            "With --chat: disconnect a client whose socket takes no bytes at all for this long while the room has something for it (e.g. 30s, 2m; 0 = never).");
        var queue = OptionFactory.Integer(
            "--chat-queue",
            ChatOptions.Default.MaxQueuedMessages,
            1,
            1_000_000,
            "With --chat: how many recent messages the room keeps in memory for its clients (one window, shared; also at most 16 MiB); a client further behind reads the store.");
        options = [chat, history, slowClient, slowTimeout, queue];
        return parseResult => parseResult.GetValue(chat)
            ? ChatOptions.Default with
            {
                HistorySize = parseResult.GetValue(history),
                DropForSlowMembers = parseResult.GetValue(slowClient) == SlowClientChoice.Drop,
                SlowClientTimeout = parseResult.GetValue(slowTimeout),
                MaxQueuedMessages = parseResult.GetValue(queue),
            }
            : null;
    }

    private static async Task<int> RunAsync(
        CliApplication app,
        Strings strings,
        TcpMsgServerOptions options,
        OutputFormat format,
        bool verbose,
        CancellationToken cancellationToken)
    {
        var console = app.Console;
        var text = new TextEventFormatter(strings, verbose);
        IEventFormatter formatter = format == OutputFormat.Json ? new JsonEventFormatter() : text;
        var sink = new ServerOutputSink(formatter, text, console, _ => console.Error.WriteLine(strings.Get("StdoutClosed")));
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning)

            // The host reports a failed start as an error with a stack trace; tcpmsg explains it in one line.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            .AddProvider(new CliLoggerProvider(console.Error, LogLevel.Information)));

        TcpMsgServer server;
        OpenFilesLimit.RaiseToHard();
        try
        {
            server = await TcpMsgServer.StartAsync(options, [sink], loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (TcpMsgException ex) when (ErrorText.IsStore(ex.Code))
        {
            await console.Error.WriteLineAsync(strings.Format("StoreFailed", ErrorText.StoreMessage(ex))).ConfigureAwait(false);
            return ExitCodes.StoreFailed;
        }
        catch (TcpMsgException ex) when (ErrorText.IsListen(ex.Code))
        {
            var line = ex.Code switch
            {
                TcpMsgErrorCode.AddressInUse => strings.Format("ListenInUse", ex.Subject),
                TcpMsgErrorCode.PermissionDenied => strings.Format("ListenDenied", ex.Subject),
                TcpMsgErrorCode.AddressNotAvailable => strings.Format("ListenNotAvailable", ex.Subject),
                _ => strings.Format("ListenFailed", ex.Message),
            };
            await console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return ExitCodes.ListenFailed;
        }
        catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.CertificateInvalid)
        {
            await console.Error.WriteLineAsync(strings.Format("TlsCertificateFailed", ex.Message)).ConfigureAwait(false);
            return ExitCodes.Tls;
        }
        catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.AccessListInvalid)
        {
            await console.Error.WriteLineAsync($"tcpmsg: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (server.ConfigureAwait(false))
        {
            var tls = server.TlsEndPoints;
            var where = string.Join(", ", server.LocalEndPoints.Select(e => ConnectionInfo.FormatEndPoint(e) + (tls.Contains(e) ? strings.Get("TlsMarker") : string.Empty)));
            await console.Error.WriteLineAsync(strings.Format("Listening", where)).ConfigureAwait(false);
            foreach (var endPoint in server.HttpEndPoints)
            {
                await console.Error.WriteLineAsync(strings.Format("HttpListening", $"http://{ConnectionInfo.FormatEndPoint(endPoint)}/")).ConfigureAwait(false);
            }

            app.ServerStarted?.Invoke(server);
            using var stopPosting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var posting = options.Chat is null ? Task.CompletedTask : ServerConsolePoster.RunAsync(server, console, strings, stopPosting.Token);

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop gracefully below.
            }

            // A console read cannot always be cancelled; a poster still blocked on it ends with the process.
            await stopPosting.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(posting, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            await console.Error.WriteLineAsync(strings.Format("Stopping", Units.Duration(options.ShutdownTimeout))).ConfigureAwait(false);
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            var statistics = server.Statistics;
            await console.Error.WriteLineAsync(strings.Format("Stopped", statistics.MessagesReceived, statistics.ConnectionsAccepted)).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
