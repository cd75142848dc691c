// Sends each line of standard input to a tcpmsg server and waits until every one is stored: a lost
// connection is re-established and what was not acknowledged is resent, never stored twice.
using TcpMsg.Client;

var server = args.Length > 0 ? args[0] : "127.0.0.1:2023";
if (!HostPort.TryParse(server, 2023, out var target, out var error))
{
    Console.Error.WriteLine(error);
    return 2;
}

var options = MessageClientOptions.Default with { RetryFor = TimeSpan.FromMinutes(1) };
await using var client = await MessageClient.ConnectAsync(target, options);
while (Console.ReadLine() is { } line)
{
    await client.EnqueueAsync(line);    // waits only while the window of unacknowledged messages is full
}

try
{
    await client.CompleteAsync();       // every message acknowledged, then a clean close
}
catch (MessageDeliveryException ex)
{
    Console.Error.WriteLine($"{ex.Failed} not delivered: {ex.Message}");
    return 1;
}

Console.WriteLine($"{client.Statistics.Delivered} messages stored, the last as #{client.Statistics.LastId}");
return 0;
