using Microsoft.Extensions.Hosting;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// A value built from the options and from files: built before the server accepts anything (a bad
/// file stops it from starting) and built again whenever one of the files changes. A rebuild that
/// fails, for any reason, keeps the previous value in force, says why, and the files are watched on. The access lists, the tokens and the TLS
/// certificate are such values.
/// </summary>
/// <typeparam name="T">The value; readers take it with <see cref="Loaded"/>, lock-free.</typeparam>
internal abstract class ReloadableFileValue<T> : IHostedLifecycleService, IAsyncDisposable
    where T : class
{
    private readonly TimeSpan _reloadInterval;
    private readonly TimeProvider _time;
    private T? _loaded;
    private FileChangeMonitor? _monitor;

    protected ReloadableFileValue(TimeSpan reloadInterval, TimeProvider time)
    {
        _reloadInterval = reloadInterval;
        _time = time;
    }

    /// <summary>The value in force, or null when nothing is configured (or not loaded yet).</summary>
    protected T? Loaded => Volatile.Read(ref _loaded);

    /// <summary>Whether there is a value to build at all.</summary>
    protected abstract bool IsConfigured { get; }

    /// <summary>The files the value is built from, watched for changes.</summary>
    protected abstract IEnumerable<string> Files { get; }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return Task.CompletedTask;
        }

        var files = Files.ToList();
        if (files.Count > 0)
        {
            _monitor = new FileChangeMonitor(files, _reloadInterval, _time, ReloadAsync);
        }

        var value = Build();
        Volatile.Write(ref _loaded, value);
        OnLoaded(value);
        _monitor?.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _monitor, null) is { } monitor)
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Builds the value from the options and the files; throws on a bad file.</summary>
    protected abstract T Build();

    /// <summary>Whether <paramref name="exception"/> from <see cref="Build"/> means a bad file (kept out, reported) rather than a bug.</summary>
    protected abstract bool IsBadFile(Exception exception);

    /// <summary>Called once the value was first built.</summary>
    protected virtual void OnLoaded(T value)
    {
    }

    /// <summary>Called after a file changed and the value was built again.</summary>
    protected abstract void OnReloaded(T value);

    /// <summary>Called after a file changed and the value could not be built; the previous one stays.</summary>
    protected abstract void OnReloadFailed(string reason);

    private Task ReloadAsync()
    {
        try
        {
            var value = Build();
            Volatile.Write(ref _loaded, value);
            OnReloaded(value);
        }
        catch (Exception ex)
        {
            // Whatever went wrong (a bad file, a missing or unreadable one, a loader's bug), the
            // previous value stays and the next change is read again: the watch must not end here.
            OnReloadFailed(IsBadFile(ex) ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }

        return Task.CompletedTask;
    }
}
