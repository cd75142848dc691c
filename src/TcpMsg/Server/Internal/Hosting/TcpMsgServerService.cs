using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal;

/// <summary>
/// Runs the dispatcher for the host's lifetime (the deadline sweeper is a hosted service of its own). Stopping is ordered:
/// the shutdown clock starts before Kestrel stops accepting; the queue is drained after every
/// connection has ended, so every message fully received is dispatched.
/// </summary>
internal sealed class TcpMsgServerService : IHostedLifecycleService
{
    // Past this, a sink that still has not taken the last events is abandoned.
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(30);

    private readonly MessagePipeline _pipeline;
    private readonly ConnectionTracker _tracker;
    public TcpMsgServerService(MessagePipeline pipeline, ConnectionTracker tracker)
    {
        _pipeline = pipeline;
        _tracker = tracker;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _pipeline.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _tracker.BeginShutdown();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        // Kestrel has stopped: every handler has returned, or was abandoned after Kestrel's abort.
        _tracker.KillAll("the server stopped");
        using var drainLimit = new CancellationTokenSource(s_drainTimeout);
        await _pipeline.CompleteAsync(drainLimit.Token).ConfigureAwait(false);
        await _tracker.DisposeAsync().ConfigureAwait(false);
    }
}
