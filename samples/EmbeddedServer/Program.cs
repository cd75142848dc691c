// An embedded tcpmsg server: listens on 127.0.0.1 at the port given (2023 by default), stores every
// message in the SQLite file given (messages.db) before it counts as received, prints each one. Ctrl+C stops it.
using System.Net;
using TcpMsg.Server;
using TcpMsg.Storage;

var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2023;
var options = TcpMsgServerOptions.Default with
{
    Endpoints = [ListenEndpoint.ForAddress(IPAddress.Loopback, port)],
    Store = StoreOptions.Default with { Path = args.Length > 1 ? args[1] : "messages.db" },
};

await using var server = await TcpMsgServer.StartAsync(options, [new Printer()]);
Console.WriteLine($"listening on {server.LocalEndPoints[0]}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
await server.StopAsync();

/// <summary>Prints each stored message with its id and sender.</summary>
internal sealed class Printer : IServerEventSink
{
    public ValueTask OnEventsAsync(IReadOnlyList<ServerEvent> events, CancellationToken cancellationToken)
    {
        foreach (var message in events.OfType<ReceivedMessage>())
        {
            Console.WriteLine($"#{message.Id} from {message.Connection.RemoteEndPoint}: {message.Text}");
        }

        return ValueTask.CompletedTask;
    }
}
