using Microsoft.Extensions.Logging;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>A logger factory whose lines the test can read and wait on.</summary>
public sealed class CollectingLogger : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public ILoggerFactory Factory => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(this));

    public List<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public Task WaitForAsync(string fragment) =>
        Eventually.UntilAsync(() => Lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)), $"a log line with '{fragment}' (so far: {string.Join(" | ", Lines)})");

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLogger owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lock)
            {
                owner._lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
