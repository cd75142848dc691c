// Sends each line of standard input to a tcpmsg server and waits until every one is stored: a lost
// connection is re-established and what was not acknowledged is resent, never stored twice.
using System.Globalization;
using TcpMsg;
using TcpMsg.Client;

var host = args.Length > 0 ? args[0] : "127.0.0.1";
var port = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2023;

var options = MessageClientOptions.Default with { RetryFor = TimeSpan.FromMinutes(1) };
await using var client = await MessageClient.ConnectAsync(host, port, options);
while (Console.ReadLine() is { } line)
{
    await client.EnqueueAsync(line);    // waits only while the window of unacknowledged messages is full
}

try
{
    await client.CompleteAsync();       // every message acknowledged, then a clean close
}
catch (TcpMsgException ex) when (ex.Code == TcpMsgErrorCode.NotDelivered)
{
    Console.Error.WriteLine($"{client.Statistics.Failed} not delivered: {ex.Message}");
    return 1;
}

Console.WriteLine($"{client.Statistics.Delivered} messages stored, the last as #{client.Statistics.LastId}");
return 0;
