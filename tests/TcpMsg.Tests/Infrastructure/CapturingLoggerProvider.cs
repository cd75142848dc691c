using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// The platform's <see cref="FakeLoggerProvider"/> (Microsoft.Extensions.Diagnostics.Testing), read
/// as the tests check what an operator would read (and how often): level, category, message.
/// </summary>
public sealed class CapturingLoggerProvider : FakeLoggerProvider
{
    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries =>
        [.. Collector.GetSnapshot().Select(r => (r.Level, r.Category ?? string.Empty, r.Message))];
}
