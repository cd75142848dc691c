namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// Base of tests that run servers and clients on loopback: fails on unobserved task exceptions, and
/// gives each test a temporary folder of its own (<see cref="Temp"/>, made when first used), removed after it.
/// </summary>
public abstract class LoopbackTest : IAsyncLifetime
{
    private TempDirectory? _temp;

    protected LoopbackTest() => UnobservedExceptions.Watch();

    /// <summary>This test's temporary folder.</summary>
    protected TempDirectory Temp => _temp ??= new TempDirectory();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        _temp?.Dispose();
        UnobservedExceptions.AssertNone();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
