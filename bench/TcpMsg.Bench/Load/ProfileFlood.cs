using System.Diagnostics;
using System.Globalization;
using System.Net;
using TcpMsg.Bench.Scenarios;
using TcpMsg.Client;

namespace TcpMsg.Bench.Load;

/// <summary>
/// <c>TcpMsg.Bench flood</c>: the load of a scenario against a server started by hand, round after
/// round, so that a profiler can be attached to the server (or to this process, the sender) for a
/// steady window; prints each round's messages/s and this process's own CPU per message.
/// </summary>
internal static class ProfileFlood
{
    public const string Usage = """
        usage: TcpMsg.Bench flood --port P [--mode confirmed|plain] [--senders N] [--messages M] [--rounds R] [--size B] [--window W]
          sends M messages of B bytes (default 100) over N connections (default 1), R times (default 5), to 127.0.0.1:P;
          confirmed: the library's MessageClient (window W, default the client's), until every ack; plain: pre-encoded lines (bench StreamSender).
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int port = 0, senders = 1, messages = 200_000, rounds = 5, size = 100, window = MessageClientOptions.Default.Window;
        var mode = "confirmed";
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--port": port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--senders": senders = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--messages": messages = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--mode": mode = value; break;
                case "--window": window = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }

        if (port == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var payload = new Payload(size);
        var texts = mode == "confirmed" ? ConfirmedScenario.Texts(payload, messages) : [];
        var self = Environment.ProcessId;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        for (var round = 0; round < rounds; round++)
        {
            var cpu = ProcessInfo.CpuSeconds(self);
            var start = Stopwatch.GetTimestamp();
            if (mode == "confirmed")
            {
                await Task.WhenAll(Enumerable.Range(0, senders).Select(s =>
                    SendShareAsync(port, window, texts, messages * s / senders, messages * (s + 1) / senders, cancel.Token))).ConfigureAwait(false);
            }
            else
            {
                StreamSender.Run(new IPEndPoint(IPAddress.Loopback, port), payload, (long)round * messages, messages, senders, Deadline.After(TimeSpan.FromMinutes(2)));
            }

            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var senderCpu = (ProcessInfo.CpuSeconds(self) - cpu) * 1e6 / messages;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {messages / seconds:N0} msg/s in {seconds:F2} s; sender CPU {senderCpu:F2} µs/msg"));
        }

        return 0;
    }

    private static async Task SendShareAsync(int port, int window, string[] texts, int from, int to, CancellationToken cancellationToken)
    {
        var client = await MessageClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default with { Window = window }, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            for (var id = from; id < to; id++)
            {
                await client.EnqueueAsync(texts[id], cancellationToken).ConfigureAwait(false);
            }

            await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
