using System.Diagnostics;
using System.Text;
using TcpMsg.Client;

namespace TcpMsg.Bench.Load;

/// <summary>
/// The stress scenario's legitimate client: one confirmed-mode connection from 127.0.0.1 sending the
/// payload's messages in order (ids from 0) at a fixed rate, each awaited: send -> ack, i.e. stored.
/// It keeps its connection from phase to phase.
/// </summary>
internal sealed class PacedConfirmedSender : IAsyncDisposable
{
    private readonly MessageClient _client;
    private readonly Payload _payload;
    private readonly PeriodicTimer _pace;
    private readonly byte[] _line;

    private PacedConfirmedSender(MessageClient client, Payload payload, int rate)
    {
        _client = client;
        _payload = payload;
        _pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
        _line = new byte[payload.LineSize];
    }

    /// <summary>Messages sent and acknowledged so far: ids 0 to Sent - 1.</summary>
    public int Sent { get; private set; }

    public static async Task<PacedConfirmedSender> ConnectAsync(int port, Payload payload, int rate, CancellationToken cancellationToken)
    {
        var client = await MessageClient.ConnectAsync("127.0.0.1", port, MessageClientOptions.Default, cancellationToken).ConfigureAwait(false);
        return new PacedConfirmedSender(client, payload, rate);
    }

    /// <summary>Sends <paramref name="count"/> messages at the rate; returns each one's send -> ack time in milliseconds.</summary>
    public async Task<List<double>> SendAsync(int count, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            latencies.Add(await SendNextAsync(cancellationToken).ConfigureAwait(false));
        }

        return latencies;
    }

    /// <summary>Sends at the rate while <paramref name="more"/> holds, at most <paramref name="limit"/> messages; their times are not kept.</summary>
    public async Task SendWhileAsync(Func<bool> more, int limit, CancellationToken cancellationToken)
    {
        for (var i = 0; i < limit && more(); i++)
        {
            await SendNextAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Says goodbye: the server has everything that was acknowledged.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => _client.CompleteAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _pace.Dispose();
        await _client.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<double> SendNextAsync(CancellationToken cancellationToken)
    {
        _payload.WriteLine(_line, Sent);
        var text = Encoding.UTF8.GetString(_line, 0, _payload.Size);
        var start = Stopwatch.GetTimestamp();
        await _client.SendAsync(text, cancellationToken).ConfigureAwait(false);
        var milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Sent++;
        await _pace.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        return milliseconds;
    }
}
