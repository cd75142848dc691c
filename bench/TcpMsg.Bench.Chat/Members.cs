using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpMsg.Client;

namespace TcpMsg.Bench.Chat;

/// <summary>The room's members: half raw sockets reading lines (as nc does), half tcpmsg's own client.</summary>
internal static class Members
{
    /// <summary>Joins <paramref name="count"/> members; each reads until <paramref name="expected"/> messages arrived.</summary>
    public static async Task<(List<Latencies> Latencies, List<Task> Done, List<IAsyncDisposable> Connections)> JoinAsync(int port, int count, int expected, CancellationToken cancellationToken)
    {
        var latencies = new List<Latencies>();
        var done = new List<Task>();
        var connections = new List<IAsyncDisposable>();
        for (var i = 0; i < count; i++)
        {
            var member = new Latencies(expected);
            latencies.Add(member);
            if (i % 2 == 0)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"/nick p{i}\n"), cancellationToken).ConfigureAwait(false);
                var stream = new NetworkStream(socket, ownsSocket: true);
                connections.Add(stream);
                done.Add(Task.Run(() => ReadLinesAsync(stream, member, expected, cancellationToken), cancellationToken));
            }
            else
            {
                var client = await ChatClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default with { Name = $"c{i}" }, cancellationToken).ConfigureAwait(false);
                connections.Add(client);
                done.Add(Task.Run(() => ReadDeliveriesAsync(client, member, expected, cancellationToken), cancellationToken));
            }
        }

        return (latencies, done, connections);
    }

    private static async Task ReadLinesAsync(Stream stream, Latencies member, int expected, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var now = Stopwatch.GetTimestamp();
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                if (Latency(buffer.Slice(0, end), now) is var latency and >= 0 && member.Add(latency, expected))
                {
                    return;
                }

                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new InvalidOperationException($"a plain member was disconnected after {member.Count} of {expected} messages");
            }
        }
    }

    /// <summary>"[HH:MM:SS] name> TTTT...": the payload starts after "> "; notices ("*** ...") are not messages.</summary>
    private static long Latency(in ReadOnlySequence<byte> line, long now)
    {
        Span<byte> head = stackalloc byte[96];
        var length = (int)Math.Min(line.Length, head.Length);
        line.Slice(0, length).CopyTo(head);
        head = head[..length];
        var start = head.IndexOf("> "u8);
        return head.Length > 0 && head[0] == (byte)'[' && start > 0 ? Payload.Latency(head[(start + 2)..], now) : -1;
    }

    private static async Task ReadDeliveriesAsync(ChatClient client, Latencies member, int expected, CancellationToken cancellationToken)
    {
        await foreach (var message in client.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            var latency = Payload.Latency(message.Text, Stopwatch.GetTimestamp());
            if (!message.IsHistory && latency >= 0 && member.Add(latency, expected))
            {
                return;
            }
        }

        throw new InvalidOperationException($"a confirmed member was disconnected after {member.Count} of {expected} messages");
    }
}
