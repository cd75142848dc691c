using System.Globalization;
using Npgsql;
using TcpMsg.Storage;
using TcpMsg.Storage.Postgres;
using TcpMsg.Tests.Infrastructure;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>
/// The password of a PostgreSQL role that needs one (scram-sha-256 over loopback): from
/// <c>--store-password-file</c>, <c>PGPASSWORD</c> or a .pgpass file (<c>PGPASSFILE</c>), never the command line.
/// </summary>
public sealed class PostgresPasswordTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Password = "s3cret:with;odd=chars";

    [Fact]
    public async Task The_password_comes_from_a_password_file_pgpassword_or_pgpass_and_without_it_authentication_fails_clearly()
    {
        var server = await postgres.ServerAsync();
        var trusted = await postgres.NewDatabaseAsync();
        var database = new Uri(trusted).AbsolutePath.TrimStart('/');
        await RequirePasswordAsync(server, trusted);
        var url = string.Create(CultureInfo.InvariantCulture, $"postgresql://pw@127.0.0.1:{server.Port}/{database}");
        using var directory = new TempDirectory();
        var passwordFile = directory.File("password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", TestContext.Current.CancellationToken);

        // Without a password: refused by the server, said in one line.
        var refused = Assert.Throws<StoreException>(() => new PostgresMessageStore(StoreOptions.Default with { Path = url }).Open());
        Assert.Contains("authentication failed", refused.Message, StringComparison.Ordinal);

        // The library with a password file: the schema is made.
        using (var store = new PostgresMessageStore(StoreOptions.Default with { Path = url, PasswordFile = passwordFile }))
        {
            store.Open();
        }

        await using (var serve = ChildProcess.StartTcpMsg(["serve", "--listen", "127.0.0.1", "--port", "0", "--store", url, "--store-password-file", passwordFile]))
        {
            var port = await Cli.EndToEndTests.ListeningPortAsync(serve);
            await using var send = ChildProcess.StartTcpMsg(["send", $"127.0.0.1:{port}", "stored with a password"]);
            Assert.Equal(0, await send.WaitForExitAsync());
            serve.Signal(ChildProcess.SigTerm);
            Assert.Equal(0, await serve.WaitForExitAsync());
        }

        var pgpass = directory.File("pgpass");
        await File.WriteAllTextAsync(pgpass, string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{server.Port}:{database}:pw:{Password.Replace(":", "\\:", StringComparison.Ordinal)}\n"), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(pgpass, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var (arguments, environment) in new (string[], Dictionary<string, string>)[]
        {
            (["--store-password-file", passwordFile], []),
            ([], new() { ["PGPASSWORD"] = Password }),
            ([], new() { ["PGPASSFILE"] = pgpass }),
        })
        {
            await using var history = ChildProcess.StartTcpMsg(["history", "--store", url, "--count", .. arguments], environment);
            Assert.True(await history.WaitForExitAsync() == 0, history.Error);
            Assert.Equal("1\n", history.Out);
        }

        await using var without = ChildProcess.StartTcpMsg(["history", "--store", url]);
        Assert.Equal(11, await without.WaitForExitAsync());
        Assert.Contains("authentication failed", without.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, without.Error, StringComparison.Ordinal);
    }

    /// <summary>A role <c>pw</c> that must give its password over loopback.</summary>
    private static async Task RequirePasswordAsync(PostgresServer server, string trusted)
    {
        var hba = Path.Combine(server.DataDirectory, "pg_hba.conf");
        await File.WriteAllTextAsync(hba, "host all pw 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        await using var connection = await PostgresMessageStoreTests.ConnectAsync(trusted);
        await using var command = new NpgsqlCommand($"CREATE ROLE pw LOGIN SUPERUSER PASSWORD '{Password}'; SELECT pg_reload_conf()", connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
