using Microsoft.Extensions.Logging;

namespace TcpMsg.Cli.Output;

/// <summary>Writes the library's and Kestrel's warnings and errors to standard error, one line each.</summary>
internal sealed class CliLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _error;
    private readonly LogLevel _minimum;

    public CliLoggerProvider(TextWriter error, LogLevel minimum)
    {
        _error = error;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName) => new CliLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class CliLogger : ILogger
    {
        private readonly CliLoggerProvider _provider;
        private readonly string _category;

        public CliLogger(CliLoggerProvider provider, string category)
        {
            _provider = provider;
            _category = category;
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= _provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Critical or LogLevel.Error => "error",
                LogLevel.Warning => "warning",
                _ => "info",
            };
            var text = formatter(state, exception);
            var cause = exception is null ? string.Empty : $": {exception.GetType().Name}: {exception.Message}";
            var source = _category.StartsWith("TcpMsg", StringComparison.Ordinal) ? string.Empty : $" ({_category})";
            _provider._error.WriteLine($"tcpmsg: {level}: {text}{cause}{source}");
        }
    }
}
