using System.Globalization;
using Npgsql;

namespace TcpMsg.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL that a test starts for itself: <c>initdb</c> into a temporary folder and
/// <c>postgres -k DIR -p PORT</c>, listening on 127.0.0.1 only, as the unprivileged <c>postgres</c>
/// user when the tests run as root (PostgreSQL refuses to run as root). Trust authentication for the
/// <c>tcpmsg</c> role over loopback; fsync off (the tests kill tcpmsg, not the machine). Stopped and
/// removed when disposed; <see cref="RestartAsync"/> for fault tests.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly TempDirectory _directory;
    private readonly bool _asPostgres;
    private ChildProcess? _process;

    private PostgresServer(string bin, TempDirectory directory, bool asPostgres, int port)
    {
        _bin = bin;
        _directory = directory;
        _asPostgres = asPostgres;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Where the data lives.</summary>
    public string DataDirectory => _directory.File("data");

    /// <summary>A connection string for the <c>tcpmsg</c> role and <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=tcpmsg;Database={database};Pooling=false;Timeout=10");

    /// <summary>The same as a URL, as <c>--store postgresql://...</c> takes it.</summary>
    public string Url(string database = "postgres") => string.Create(CultureInfo.InvariantCulture, $"postgresql://tcpmsg@127.0.0.1:{Port}/{database}");

    /// <summary>What the server logged.</summary>
    public string Log => (_process?.Error ?? string.Empty) + (_process?.Out ?? string.Empty);

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Path.GetDirectoryName(FindInitdb())!;
        var directory = new TempDirectory();
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            ExternalTools.Require("setpriv");
            await RunAsync("chown", ["postgres:postgres", directory.Path], asPostgres: false);
        }

        var server = new PostgresServer(bin, directory, asPostgres, Cli.SendCommandTests.FreePort());
        try
        {
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-U", "tcpmsg", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asPostgres);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a database for one test (its own, so tests on one server never meet).</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Stops the server (fast shutdown) and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await StopAsync(ChildProcess.SigInt);
        await StartProcessAsync();
    }

    /// <summary>Stops the server with <paramref name="signal"/> (SIGINT: fast shutdown; SIGKILL: a crash).</summary>
    public async Task StopAsync(int signal = ChildProcess.SigInt)
    {
        if (_process is { } process)
        {
            process.Signal(signal);
            await process.WaitForExitAsync(TestTimeouts.Extended);
            await process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/>.</summary>
    public Task ResumeAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private async Task StartProcessAsync()
    {
        var postgres = Path.Combine(_bin, "postgres");
        string[] arguments = ["-D", DataDirectory, "-k", _directory.Path, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"];
        _process = _asPostgres ? ChildProcess.Start("setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", postgres, .. arguments]) : ChildProcess.Start(postgres, arguments);
        await Eventually.UntilAsync(() => _process.HasExited || CanConnect(), "PostgreSQL to accept connections", TestTimeouts.Extended);
        Assert.False(_process.HasExited, "PostgreSQL exited: " + Log);
    }

    private bool CanConnect()
    {
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString());
            connection.Open();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static string FindInitdb()
    {
        if (ExternalTools.Find("initdb") is { } onPath)
        {
            return onPath;
        }

        // Debian keeps the server's programs out of PATH, by major version.
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "initdb")).Where(File.Exists).OrderByDescending(p => p, StringComparer.Ordinal).FirstOrDefault()
            : null;
        return installed ?? ExternalTools.Require("initdb");
    }

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres)
    {
        await using var process = asPostgres ? ChildProcess.Start("setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", file, .. arguments]) : ChildProcess.Start(file, arguments);
        var code = await process.WaitForExitAsync(TestTimeouts.Extended);
        Assert.True(code == 0, $"{file} {string.Join(' ', arguments)} exited {code}: {process.Error}{process.Out}");
    }
}
