using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal;

/// <summary>A host lifetime that leaves signals to the embedding program: it starts and stops when told.</summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
