using System.Security.Cryptography;

namespace TcpMsg.Server.Internal.Transport;

/// <summary>
/// Notices when any of a few small files changes, by hashing their content on a timer. Content, not
/// timestamps: it sees atomic renames, symlink swaps (Kubernetes secrets) and writes within the same
/// second alike. A file caught half-written simply changes again on the next tick.
/// </summary>
internal sealed class FileChangeMonitor : IAsyncDisposable
{
    private readonly string[] _files;
    private readonly Func<Task> _onChange;
    private readonly PeriodicTimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private string _fingerprint;
    private Task _loop = Task.CompletedTask;

    /// <summary>Takes the files' fingerprint now, so a change made while the caller loads them is noticed.</summary>
    public FileChangeMonitor(IEnumerable<string> files, TimeSpan interval, TimeProvider time, Func<Task> onChange)
    {
        _files = [.. files.Distinct(StringComparer.Ordinal)];
        _onChange = onChange;
        _timer = new PeriodicTimer(interval, time);
        _fingerprint = Fingerprint();
    }

    public void Start() => _loop = WatchAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var fingerprint = Fingerprint();
                if (fingerprint != _fingerprint)
                {
                    _fingerprint = fingerprint;
                    await _onChange().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private string Fingerprint()
    {
        var parts = new string[_files.Length];
        for (var i = 0; i < _files.Length; i++)
        {
            try
            {
                var info = new FileInfo(_files[i]);

                // Files the loaders would refuse as too large are not hashed either.
                parts[i] = !info.Exists ? "missing" : info.Length > 16 * 1024 * 1024 ? $"large:{info.Length}:{info.LastWriteTimeUtc.Ticks}"
                    : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_files[i])));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                parts[i] = "unreadable:" + ex.GetType().Name;
            }
        }

        return string.Join('|', parts);
    }
}
