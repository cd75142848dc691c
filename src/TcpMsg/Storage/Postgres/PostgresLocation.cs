using System.Globalization;
using Npgsql;

namespace TcpMsg.Storage.Postgres;

/// <summary>
/// Where a PostgreSQL store is: <c>postgresql://user@host:port/db?param=value</c> (libpq's URI form,
/// https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS, which Npgsql does
/// not parse itself) or an Npgsql connection string (<c>Host=...;Database=...</c>). The password never
/// comes in the string (a command line shows in <c>ps</c>, a record in a log): it comes from a password
/// file (<see cref="StoreOptions.PasswordFile"/>), or Npgsql finds it in PGPASSWORD or a .pgpass file.
/// </summary>
internal sealed class PostgresLocation
{
    private readonly NpgsqlConnectionStringBuilder _builder;
    private readonly string? _passwordFile;

    private PostgresLocation(string source, NpgsqlConnectionStringBuilder builder, string? passwordFile)
    {
        Source = source;
        _builder = builder;
        _passwordFile = passwordFile;
        Display = string.Create(CultureInfo.InvariantCulture, $"PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}");
    }

    /// <summary>The location as it was given.</summary>
    public string Source { get; }

    /// <summary>The password file, if one was given.</summary>
    public string? PasswordFile => _passwordFile;

    /// <summary>For messages: <c>PostgreSQL at host:port/db</c>, never a password.</summary>
    public string Display { get; }

    /// <summary>True when <paramref name="store"/> names a PostgreSQL store rather than a SQLite file.</summary>
    public static bool IsPostgres(string? store)
    {
        if (string.IsNullOrWhiteSpace(store))
        {
            return false;
        }

        var text = store.TrimStart();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // A connection string: keyword=value pairs with a host. A file name with "host=" in it would
        // need a directory in front (./host=x) to be read as a path.
        return text.Contains('=', StringComparison.Ordinal) && TryParsePairs(text, out var builder) && !string.IsNullOrEmpty(builder.Host);
    }

    /// <summary>Parses <paramref name="store"/>; a password in it is refused.</summary>
    /// <exception cref="StoreException">Not a PostgreSQL location, or one with a password in it.</exception>
    public static PostgresLocation Parse(string store, string? passwordFile = null)
    {
        var text = store.Trim();
        NpgsqlConnectionStringBuilder builder;
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            builder = FromUrl(text);
        }
        else if (!TryParsePairs(text, out builder!))
        {
            throw new StoreException(StoreFailure.CannotOpen, "not a PostgreSQL connection string (Host=...;Database=...) or URL (postgresql://user@host:port/db)");
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new StoreException(
                StoreFailure.CannotOpen,
                "the PostgreSQL location holds a password, which would show in the process list and in logs; give it in a password file, PGPASSWORD or ~/.pgpass instead");
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new StoreException(StoreFailure.CannotOpen, "the PostgreSQL location names no host");
        }

        if (string.IsNullOrEmpty(builder.Username))
        {
            // As libpq does: the operating system user.
            builder.Username = Environment.UserName;
        }

        return new PostgresLocation(store, builder, passwordFile);
    }

    /// <summary>A data source for this location; its password read now from the password file, if any.</summary>
    /// <exception cref="StoreException">The password file cannot be read.</exception>
    public NpgsqlDataSource CreateDataSource(string applicationName, bool pooling = true)
    {
        var builder = new NpgsqlConnectionStringBuilder(_builder.ConnectionString)
        {
            ApplicationName = _builder.ApplicationName ?? applicationName,
            Pooling = pooling,
        };
        if (_passwordFile is not null)
        {
            builder.Password = ReadPasswordFile(_passwordFile);
        }

        // The slim builder: only the types tcpmsg uses (it stays trimmable and AOT-compatible).
        var source = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString);
        source.EnableArrays();
        return source.Build();
    }

    private static string ReadPasswordFile(string path)
    {
        try
        {
            // The first line; a trailing newline (as echo writes it) is not part of the password.
            using var reader = new StreamReader(path);
            var line = reader.ReadLine();
            if (string.IsNullOrEmpty(line))
            {
                throw new StoreException(StoreFailure.CannotOpen, $"the password file {path} is empty");
            }

            return line;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreFailure.CannotOpen, $"cannot read the password file {path}: {ex.Message}", ex);
        }
    }

    private static bool TryParsePairs(string text, out NpgsqlConnectionStringBuilder builder)
    {
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
            return true;
        }
        catch (ArgumentException)
        {
            builder = null!;
            return false;
        }
    }

    // postgresql://[user[:password]@][host][:port][/dbname][?param1=value1&...]
    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new StoreException(StoreFailure.CannotOpen, "not a PostgreSQL URL (postgresql://user@host:port/db)");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0 && colon < uri.UserInfo.Length - 1)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        builder.Host = uri.IdnHost.Length > 0 ? uri.IdnHost : "localhost";
        builder.Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                // libpq's names where they differ from Npgsql's; the rest by Npgsql's own keywords.
                builder[key switch
                {
                    "sslmode" => "SSL Mode",
                    "application_name" => "Application Name",
                    "connect_timeout" => "Timeout",
                    "passfile" => "Passfile",
                    "sslrootcert" => "Root Certificate",
                    "sslcert" => "SSL Certificate",
                    "sslkey" => "SSL Key",
                    _ => key,
                }] = value;
            }
            catch (ArgumentException ex)
            {
                throw new StoreException(StoreFailure.CannotOpen, $"the PostgreSQL URL parameter '{key}' is not understood: {ex.Message}", ex);
            }
        }

        return builder;
    }
}
