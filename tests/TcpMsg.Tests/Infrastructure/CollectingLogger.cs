using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// A logger factory over the platform's <see cref="FakeLoggerProvider"/> (Microsoft.Extensions.Diagnostics.Testing),
/// with the two things the tests ask of it: the lines so far, and a wait for one.
/// </summary>
public sealed class CollectingLogger : IDisposable
{
    private readonly FakeLoggerProvider _provider = new();

    public ILoggerFactory Factory => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(_provider));

    /// <summary>Every record so far, as "Level: message".</summary>
    public List<string> Lines => [.. _provider.Collector.GetSnapshot().Select(r => $"{r.Level}: {r.Message}")];

    public Task WaitForAsync(string fragment) =>
        Eventually.UntilAsync(() => Lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)), $"a log line with '{fragment}' (so far: {string.Join(" | ", Lines)})");

    public void Dispose() => _provider.Dispose();
}
