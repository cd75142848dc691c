using System.Globalization;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>
/// One real PostgreSQL per test class, started by the first test that asks (so that a missing
/// PostgreSQL fails or skips that test, as ExternalTools.Require does, not the class), and a fresh
/// database for each test.
/// </summary>
public sealed class PostgresFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private PostgresServer? _server;
    private int _databases;

    /// <summary>The server; started on first use.</summary>
    public async Task<PostgresServer> ServerAsync()
    {
        await _starting.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _server ??= await PostgresServer.StartAsync();
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>A new, empty database; returns its <c>postgresql://</c> URL.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var server = await ServerAsync();
        var name = await server.CreateDatabaseAsync(string.Create(CultureInfo.InvariantCulture, $"test{Interlocked.Increment(ref _databases)}"));
        return server.Url(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _starting.Dispose();
    }
}
