using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Client;

namespace TcpMsg.Bench.Chat;

/// <summary>Who sends: tcpmsg's own client posting to the room (not a member), or raw sockets sending lines.</summary>
internal static class Senders
{
    /// <summary>
    /// <paramref name="senders"/> confirmed clients send <paramref name="messages"/> in all, as fast as the
    /// window allows, or at <paramref name="rate"/> per second in all when given.
    /// </summary>
    public static Task ConfirmedAsync(int port, int senders, int messages, int size, int? rate, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            var share = Share(messages, senders, s);
            await using var client = await MessageClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default with { Name = $"sender{s}" }, cancellationToken).ConfigureAwait(false);
            var started = DateTime.UtcNow;
            for (var i = 0; i < share; i++)
            {
                if (rate is { } perSecond)
                {
                    // Each sender keeps its share of the rate; due times are absolute, so delays do not add up.
                    var due = started + TimeSpan.FromSeconds(i * (double)senders / perSecond);
                    if (due > DateTime.UtcNow)
                    {
                        await Task.Delay(due - DateTime.UtcNow, cancellationToken).ConfigureAwait(false);
                    }
                }

                await client.EnqueueAsync(Payload.Create(i, size), cancellationToken).ConfigureAwait(false);
            }

            await client.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken)));

    /// <summary><paramref name="senders"/> raw sockets send <paramref name="messages"/> lines in all, as fast as TCP takes them, then close properly.</summary>
    public static Task PlainAsync(int port, int senders, int messages, int size, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            var batch = new StringBuilder();
            var share = Share(messages, senders, s);
            for (var i = 0; i < share; i++)
            {
                batch.Append(Payload.Create(i, size)).Append('\n');
                if (batch.Length > 60_000 || i == share - 1)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(batch.ToString()), cancellationToken).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[4096];
            while (await socket.ReceiveAsync(sink, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }, cancellationToken)));

    private static int Share(int messages, int senders, int sender) => (messages / senders) + (sender < messages % senders ? 1 : 0);
}
