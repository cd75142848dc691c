namespace TcpMsg.Server.Internal.Http;

/// <summary>
/// Wakes the event streams after a commit. A stream takes <see cref="Next"/> before it reads the
/// store, so a commit between its read and its wait is never missed; it then reads rows by id,
/// so the signal carries nothing and a burst of commits wakes it once.
/// </summary>
internal sealed class CommitSignal
{
    private TaskCompletionSource _next = New();

    /// <summary>Completes at the next commit after this call.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
