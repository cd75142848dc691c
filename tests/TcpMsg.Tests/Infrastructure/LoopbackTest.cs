namespace TcpMsg.Tests.Infrastructure;

/// <summary>Base of tests that run servers and clients on loopback: fails on unobserved task exceptions.</summary>
public abstract class LoopbackTest : IAsyncLifetime
{
    protected LoopbackTest() => UnobservedExceptions.Watch();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        UnobservedExceptions.AssertNone();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
