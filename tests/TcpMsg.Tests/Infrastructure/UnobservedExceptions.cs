using System.Collections.Concurrent;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Collects exceptions of tasks nobody awaited. Tests that run servers check it when they end, so a
/// fire-and-forget failure fails the test instead of vanishing.
/// </summary>
public static class UnobservedExceptions
{
    private static readonly ConcurrentQueue<Exception> s_exceptions = new();

    static UnobservedExceptions() => TaskScheduler.UnobservedTaskException += (_, e) =>
    {
        s_exceptions.Enqueue(e.Exception);
        e.SetObserved();
    };

    /// <summary>Starts watching (the static constructor does the work).</summary>
    public static void Watch()
    {
    }

    /// <summary>Collects garbage so that unobserved exceptions surface, then fails if any did.</summary>
    public static void AssertNone()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var found = new List<Exception>();
        while (s_exceptions.TryDequeue(out var exception))
        {
            found.Add(exception);
        }

        Assert.True(found.Count == 0, "Unobserved task exceptions: " + string.Join(" | ", found.Select(e => e.GetBaseException().ToString())));
    }
}
