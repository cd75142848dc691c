using TcpMsg.Storage;
using TcpMsg.Storage.Postgres;

namespace TcpMsg.Tests.Storage.Postgres;

/// <summary>Which <c>--store</c> is PostgreSQL, and what a URL or connection string says.</summary>
public sealed class PostgresLocationTests
{
    [Theory]
    [InlineData("postgresql://tcpmsg@db:5433/messages", true)]
    [InlineData("postgres://db/messages", true)]
    [InlineData("Host=db;Database=messages", true)]
    [InlineData("host=db", true)]
    [InlineData("tcpmsg.db", false)]
    [InlineData("/var/lib/tcpmsg/tcpmsg.db", false)]
    [InlineData("./a=b;c.db", false)]
    [InlineData("Database=messages", false)]
    [InlineData("", false)]
    public void A_url_or_a_connection_string_with_a_host_is_postgresql_and_anything_else_a_sqlite_path(string store, bool postgres) =>
        Assert.Equal(postgres, PostgresLocation.IsPostgres(store));

    [Fact]
    public void A_url_gives_user_host_port_database_and_libpq_parameters()
    {
        var location = PostgresLocation.Parse("postgresql://ingest%40corp@db.example:5433/tcp%20msg?sslmode=require&application_name=edge");
        Assert.Equal("PostgreSQL at db.example:5433/tcp msg", location.Display);
        using var source = location.CreateDataSource("tcpmsg tests");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString);
        Assert.Equal(("ingest@corp", "db.example", 5433, "tcp msg", Npgsql.SslMode.Require, "edge"), (builder.Username, builder.Host, builder.Port, builder.Database, builder.SslMode, builder.ApplicationName));
    }

    [Fact]
    public void A_url_without_a_port_or_user_takes_libpqs_defaults()
    {
        var location = PostgresLocation.Parse("postgresql://db/messages");
        Assert.Equal("PostgreSQL at db:5432/messages", location.Display);
        using var source = location.CreateDataSource("tcpmsg tests");
        Assert.Equal(Environment.UserName, new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString).Username);
    }

    [Theory]
    [InlineData("postgresql://tcpmsg:secret@db/messages")]
    [InlineData("postgresql://tcpmsg@db/messages?password=secret")]
    [InlineData("Host=db;Password=secret")]
    public void A_password_in_the_location_is_refused_and_not_repeated(string store)
    {
        var refused = Assert.Throws<StoreException>(() => PostgresLocation.Parse(store));
        Assert.Contains("holds a password", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_url_parameter_is_refused_by_name()
    {
        var refused = Assert.Throws<StoreException>(() => PostgresLocation.Parse("postgresql://db/messages?colour=blue"));
        Assert.Contains("'colour'", refused.Message, StringComparison.Ordinal);
    }
}
