using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TcpMsg.Server.Internal.Security;

/// <summary>
/// Holds the current <see cref="AccessPolicy"/>: the rules given in the options plus those in the
/// allow and deny files, read at start (a bad file stops the server from starting) and again when a
/// file changes (a bad file then keeps the previous rules, and says so).
/// </summary>
internal sealed partial class AccessPolicySource : IHostedLifecycleService, IAsyncDisposable
{
    private readonly AccessControlOptions _options;
    private readonly TimeSpan _reloadInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private AccessPolicy _current = AccessPolicy.Open;
    private FileChangeMonitor? _monitor;

    public AccessPolicySource(TcpMsgServerOptions options, TimeProvider time, ILogger<AccessPolicySource> logger)
    {
        _options = options.Security.Access;
        _reloadInterval = options.Security.FileReloadInterval;
        _time = time;
        _logger = logger;
    }

    public AccessPolicy Current => Volatile.Read(ref _current);

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (_options.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var files = _options.AllowFiles.Concat(_options.DenyFiles).ToList();
        if (files.Count > 0)
        {
            _monitor = new FileChangeMonitor(files, _reloadInterval, _time, ReloadAsync);
        }

        Volatile.Write(ref _current, Build());
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
    }

    private Task ReloadAsync()
    {
        try
        {
            var policy = Build();
            Volatile.Write(ref _current, policy);
            LogReloaded(policy.RuleCount);
        }
        catch (AccessListException ex)
        {
            LogReloadFailed(ex.Message);
        }

        return Task.CompletedTask;
    }

    private AccessPolicy Build()
    {
        var allow = new List<IPNetwork>(_options.Allow);
        var deny = new List<IPNetwork>(_options.Deny);
        foreach (var file in _options.AllowFiles)
        {
            allow.AddRange(ReadFile(file));
        }

        foreach (var file in _options.DenyFiles)
        {
            deny.AddRange(ReadFile(file));
        }

        return new AccessPolicy(allow, deny, allowList: _options.Allow.Count > 0 || _options.AllowFiles.Count > 0);
    }

    private static List<IPNetwork> ReadFile(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AccessListException($"{file}: {ex.Message}", ex);
        }

        return IPNetworkParser.TryParseLines(lines, file, out var networks, out var error)
            ? networks
            : throw new AccessListException(error!);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access lists reloaded: {Count} rules")]
    private partial void LogReloaded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access list not reloaded, the previous rules stay in force: {Reason}")]
    private partial void LogReloadFailed(string reason);
}
