namespace TcpMsg.Tests.Infrastructure;

/// <summary>Every wait in the tests is bounded; these bounds are generous so slow CI machines pass, and only hit when something is broken.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Extended = TimeSpan.FromSeconds(120);

    /// <summary>Awaits <paramref name="task"/>, failing the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan? timeout = null) =>
        await task.WaitAsync(timeout ?? Default).ConfigureAwait(false);

    public static async Task WithTimeout(this Task task, TimeSpan? timeout = null) =>
        await task.WaitAsync(timeout ?? Default).ConfigureAwait(false);

    public static async Task<T> WithTimeout<T>(this ValueTask<T> task, TimeSpan? timeout = null) =>
        await task.AsTask().WaitAsync(timeout ?? Default).ConfigureAwait(false);
}
